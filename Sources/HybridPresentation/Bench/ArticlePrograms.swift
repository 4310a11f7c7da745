/// The article's two programs, in Python as a beginner writes them, run beside hybrid by
/// ``PythonProgram``. They are kept here, not in files beside the binary, so a `hybrid` copied
/// anywhere still has them; each prints one JSON line that ``PythonProgram`` reads.
package enum ArticlePrograms {
    /// The CPU-bound program: the sum of the primes below N by trial division, serially, on
    /// threads or on `multiprocessing.Pool`.
    package static let primes = #"""
        """The article's CPU-bound program: the sum of the primes below N, each number tested by trial
        division, serially, on threads or on a process pool (multiprocessing.Pool(workers).map).

            python3 primes.py serial|threads|processes WORKERS N

        Prints one JSON line: the count and sum (a decimal string) of the primes, the wall and CPU
        seconds of the work (the pool's processes included), and whether a global interpreter lock
        let one thread run Python at a time.
        """
        import json
        import math
        import resource
        import sys
        import threading
        import time
        from multiprocessing import Pool


        def is_prime(n):
            if n < 2:
                return False
            if n % 2 == 0:
                return n == 2
            for divisor in range(3, math.isqrt(n) + 1, 2):
                if n % divisor == 0:
                    return False
            return True


        def sum_primes(chunk):
            """The count and sum of the primes in [start, stop)."""
            start, stop = chunk
            count = total = 0
            for n in range(start, stop):
                if is_prime(n):
                    count += 1
                    total += n
            return count, total


        def on_threads(chunks, workers):
            results = [None] * len(chunks)

            def work(first):
                for index in range(first, len(chunks), workers):
                    results[index] = sum_primes(chunks[index])

            threads = [threading.Thread(target=work, args=(first,)) for first in range(workers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return results


        def on_processes(chunks, workers):
            pool = Pool(workers)
            results = pool.map(sum_primes, chunks)
            pool.close()
            pool.join()  # the workers reaped, so their CPU time is counted
            return results


        def cpu_seconds():
            """CPU time of this process and of the children it has reaped (the pool's workers)."""
            usages = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            return sum(usage.ru_utime + usage.ru_stime for usage in usages)


        def main():
            strategy, workers, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            # More chunks than workers: numbers cost more to test the larger they are.
            size = -(-limit // (16 * workers))
            chunks = [(start, min(start + size, limit)) for start in range(0, limit, size)]
            cpu_before, start = cpu_seconds(), time.perf_counter()
            if strategy == "serial":
                results = [sum_primes(chunk) for chunk in chunks]
            elif strategy == "threads":
                results = on_threads(chunks, workers)
            else:
                results = on_processes(chunks, workers)
            seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_before
            print(json.dumps({
                "count": sum(count for count, _ in results),
                "sum": str(sum(total for _, total in results)),
                "seconds": seconds,
                "cpu_seconds": cpu,
                "gil": getattr(sys, "_is_gil_enabled", lambda: True)(),
            }))


        if __name__ == "__main__":
            main()
        """#

    /// The I/O-bound program: a list of URLs downloaded with `urllib`, serially or on threads.
    package static let fetch = #"""
        """The article's I/O-bound program: download every URL of a list, serially or on threads
        (concurrent.futures.ThreadPoolExecutor).

            python3 fetch.py serial|threads WORKERS URL_FILE

        URL_FILE lists the URLs, one a line. Prints one JSON line: the URLs fetched and failed, the body
        bytes received, and the wall and CPU seconds of the work.
        """
        import concurrent.futures
        import json
        import resource
        import sys
        import time
        import urllib.request


        def download(url):
            """The body's length, or None when the URL failed."""
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    return len(response.read())
            except OSError:
                return None


        def cpu_seconds():
            """CPU time of this process and of the children it has reaped (the pool's workers)."""
            usages = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            return sum(usage.ru_utime + usage.ru_stime for usage in usages)


        def main():
            strategy, workers, url_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
            with open(url_file) as lines:
                urls = lines.read().split()
            cpu_before, start = cpu_seconds(), time.perf_counter()
            if strategy == "serial":
                sizes = [download(url) for url in urls]
            else:
                with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as executor:
                    sizes = list(executor.map(download, urls))
            seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_before
            print(json.dumps({
                "ok": sum(size is not None for size in sizes),
                "failed": sum(size is None for size in sizes),
                "bytes": sum(size for size in sizes if size is not None),
                "seconds": seconds,
                "cpu_seconds": cpu,
            }))


        if __name__ == "__main__":
            main()
        """#
}
