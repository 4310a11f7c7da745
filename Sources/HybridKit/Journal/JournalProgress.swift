/// How much of its job a journal holds: what a stopped run leaves for the same command to resume.
public struct JournalProgress: Equatable, Sendable {
    /// The journal file.
    public var path: String
    /// Items whose records are written and synced: those it held when opened, and those this
    /// run recorded.
    public var savedItems: Int
    /// Items of the whole job.
    public var items: Int
    /// What an item is, in the plural: `chunks` for primes, `primes` for bigprimes.
    public var itemsName: String

    public init(path: String, savedItems: Int, items: Int, itemsName: String = "items") {
        self.path = path
        self.savedItems = savedItems
        self.items = items
        self.itemsName = itemsName
    }

    /// The share of the job saved, from 0 to 1.
    public var fraction: Double { items > 0 ? Double(savedItems) / Double(items) : 1 }
}

/// What a finished run took from its journal.
public struct JournalUse: Equatable, Sendable {
    /// The journal file.
    public var path: String
    /// Items of the whole job.
    public var items: Int
    /// Items whose results came from the journal, not from this run's workers.
    public var resumedItems: Int

    public init(path: String, items: Int, resumedItems: Int) {
        self.path = path
        self.items = items
        self.resumedItems = resumedItems
    }
}
