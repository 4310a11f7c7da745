import CSieve
