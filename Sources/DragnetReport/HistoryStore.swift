import DragnetCore
import Foundation
import GRDB

/// Every audit, recorded in SQLite (`reports/history.sqlite` by default) with GRDB: named,
/// ordered migrations; WAL, so that audits can write while others read; a busy timeout,
/// so that two audits writing at once wait for each other instead of failing. Each page
/// is written in its own transaction as soon as it is done, so an interrupted audit
/// leaves a consistent database holding the pages that finished.
public final class HistoryStore: Sendable {
    public struct Run: Sendable, Hashable {
        public var id: Int64
        public var startedAt: String
        public var finishedAt: String?
        public var interrupted: Bool
        public var report: String?
        public var pages: Int
    }

    /// One page of one run, summarised.
    public struct Entry: Sendable, Hashable {
        public var run: Int64
        public var startedAt: String
        public var url: String
        /// The page's URL without scheme, query or fragment: what runs are compared on.
        public var key: String
        public var site: String?
        public var score: Double
        public var grade: String
        public var findings: Int
        public var critical: Int
        public var high: Int
    }

    private let pool: DatabasePool
    public let path: String

    public init(path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.label = "dragnet.history"
        // WAL with synchronous=NORMAL: a commit survives a crash of the process (an
        // interrupted audit keeps its pages) without an fsync per page, which made a
        // 2,000-page audit four times slower.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        // Two audits creating a new database at the same moment race: one can find it locked
        // while the other switches it to WAL, or read the list of applied migrations just
        // before the other commits them and then find a table that "already exists". Both
        // are settled by trying again (for up to ten seconds): the retry sees the migrations
        // the other process committed.
        var attempt = 0
        while true {
            do {
                let pool = try DatabasePool(path: path, configuration: configuration)  // WAL
                try Self.migrator.migrate(pool)
                self.pool = pool
                break
            } catch let error as DatabaseError
                where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
                || (error.resultCode == .SQLITE_ERROR && (error.message ?? "").contains("already exists"))
            {
                attempt += 1
                if attempt >= 100 { throw error }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        self.path = path
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2026-11-29 runs and pages") { db in
            try db.create(table: "run") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("startedAt", .text).notNull()
                table.column("finishedAt", .text)
                table.column("interrupted", .boolean).notNull().defaults(to: false)
                table.column("report", .text)
                table.column("tool", .text).notNull()
            }
            try db.create(table: "page") { table in
                table.autoIncrementedPrimaryKey("id")
                table.belongsTo("run", onDelete: .cascade).notNull()
                table.column("position", .integer).notNull()
                table.column("url", .text).notNull()
                table.column("key", .text).notNull()
                table.column("site", .text)
                table.column("score", .double).notNull()
                table.column("grade", .text).notNull()
                table.column("findings", .integer).notNull()
                table.column("critical", .integer).notNull()
                table.column("high", .integer).notNull()
                table.column("json", .blob).notNull()
                table.uniqueKey(["runId", "position"])
            }
            try db.create(index: "page_site", on: "page", columns: ["site", "runId"])
        }
        migrator.registerMigration("2026-11-29 platform scores") { db in
            try db.create(table: "platformScore") { table in
                table.belongsTo("page", onDelete: .cascade).notNull()
                table.column("platform", .text).notNull()
                table.column("score", .double).notNull()
                table.column("grade", .text).notNull()
                table.primaryKey(["pageId", "platform"])
            }
        }
        return migrator
    }

    /// Starts a run; returns its id.
    public func beginRun(startedAt: String, tool: String) throws -> Int64 {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO run (startedAt, tool) VALUES (?, ?)", arguments: [startedAt, tool])
            return db.lastInsertedRowID
        }
    }

    /// What the history keeps of a page besides its JSON.
    public struct PageSummary: Sendable {
        public var url: String
        public var site: String?
        public var score: Double
        public var grade: String
        public var findings: Int
        public var critical: Int
        public var high: Int
        public var platforms: [(id: String, score: Double, grade: String)]

        public init(url: String, site: String?, score: Double, grade: String, findings: Int, critical: Int, high: Int, platforms: [(id: String, score: Double, grade: String)]) {
            self.url = url
            self.site = site
            self.score = score
            self.grade = grade
            self.findings = findings
            self.critical = critical
            self.high = high
            self.platforms = platforms
        }
    }

    /// Records one finished page: its summary, and its report JSON without the bulky
    /// resource and link lists (what `dragnet diff` needs of a run).
    public func addPage(run: Int64, position: Int, summary: PageSummary, json: [UInt8]) throws {
        try pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO page (runId, position, url, key, site, score, grade, findings, critical, high, json)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    run, position, summary.url, AuditReport.key(summary.url), summary.site, summary.score, summary.grade, summary.findings,
                    summary.critical, summary.high, Data(json),
                ])
            let pageID = db.lastInsertedRowID
            for platform in summary.platforms {
                try db.execute(
                    sql: "INSERT INTO platformScore (pageId, platform, score, grade) VALUES (?, ?, ?, ?)",
                    arguments: [pageID, platform.id, platform.score, platform.grade])
            }
        }
    }

    public func finishRun(_ run: Int64, finishedAt: String, interrupted: Bool, report: String?) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE run SET finishedAt = ?, interrupted = ?, report = ? WHERE id = ?", arguments: [finishedAt, interrupted, report, run])
        }
    }

    public func runs() throws -> [Run] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT run.id, run.startedAt, run.finishedAt, run.interrupted, run.report, COUNT(page.id) AS pages
                FROM run LEFT JOIN page ON page.runId = run.id GROUP BY run.id ORDER BY run.id
                """).map { row in
                Run(id: row["id"], startedAt: row["startedAt"], finishedAt: row["finishedAt"], interrupted: row["interrupted"], report: row["report"], pages: row["pages"])
            }
        }
    }

    /// Per run and page of `site` (or of every site), in run order.
    public func entries(site: String?) throws -> [Entry] {
        try pool.read { db in
            let filter = site == nil ? "" : "WHERE page.site = ? OR page.key LIKE ?"
            let arguments: StatementArguments = site.map { [$0, $0 + "%"] } ?? []
            return try Row.fetchAll(db, sql: """
                SELECT page.runId, run.startedAt, page.url, page.key, page.site, page.score, page.grade, page.findings, page.critical, page.high
                FROM page JOIN run ON run.id = page.runId \(filter) ORDER BY page.runId, page.position
                """, arguments: arguments).map { row in
                Entry(
                    run: row["runId"], startedAt: row["startedAt"], url: row["url"], key: row["key"], site: row["site"], score: row["score"], grade: row["grade"],
                    findings: row["findings"], critical: row["critical"], high: row["high"])
            }
        }
    }

    /// A run as a report: by id, or by date (the last run started that day).
    public func report(_ reference: String) throws -> AuditReport? {
        try pool.read { db in
            let runID: Int64?
            if let id = Int64(reference) {
                runID = try Int64.fetchOne(db, sql: "SELECT id FROM run WHERE id = ?", arguments: [id])
            } else {
                runID = try Int64.fetchOne(db, sql: "SELECT id FROM run WHERE startedAt LIKE ? ORDER BY id DESC LIMIT 1", arguments: [reference + "%"])
            }
            guard let runID else { return nil }
            let run = try Row.fetchOne(db, sql: "SELECT startedAt, finishedAt, tool FROM run WHERE id = ?", arguments: [runID])
            let pages = try Data.fetchAll(db, sql: "SELECT json FROM page WHERE runId = ? ORDER BY position", arguments: [runID])
            var document = Data("{\"schemaVersion\":2,\"startedAt\":".utf8)
            document += try JSONSerialization.data(withJSONObject: (run?["startedAt"] as String?) ?? "", options: .fragmentsAllowed)
            document += Data(",\"finishedAt\":".utf8)
            document += try JSONSerialization.data(withJSONObject: (run?["finishedAt"] as String?) ?? "", options: .fragmentsAllowed)
            document += Data(",\"tool\":{\"name\":\"dragnet\",\"version\":".utf8)
            document += try JSONSerialization.data(withJSONObject: (run?["tool"] as String?) ?? "", options: .fragmentsAllowed)
            document += Data("},\"pages\":[".utf8)
            for (index, page) in pages.enumerated() {
                if index > 0 { document += Data(",".utf8) }
                document += page
            }
            document += Data("]}".utf8)
            return try AuditReport(data: document, source: "history run \(runID)")
        }
    }

    /// `▁▂▃▄▅▆▇█` for scores from 0 to 100.
    public static func sparkline(_ scores: [Double]) -> String {
        let bars = Array("▁▂▃▄▅▆▇█")
        return String(scores.map { bars[min(7, max(0, Int(($0 / 100 * 7).rounded())))] })
    }
}
