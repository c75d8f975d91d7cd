import Foundation
import HandoffDomain
import Logging

/// One canonical JSON object per line on standard error: `time`, `level`, `label`, `message`
/// and the metadata (such as `hb.request.id`). Messages and metadata come from the server's
/// own code, which never puts a token, key or value in them.
package struct JSONLogHandler: LogHandler {
    package var metadata: Logger.Metadata = [:]
    package var logLevel: Logger.Level = .info
    private let label: String

    package init(label: String) {
        self.label = label
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var fields: [String: JSONValue] = [
            "time": .string(Timestamp.string(Date())),
            "level": .string(event.level.rawValue),
            "label": .string(label),
            "message": .string(event.message.description),
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            fields[key] = .string(value.description)
        }
        FileHandle.standardError.write(Data((CanonicalJSON.string(.object(fields)) + "\n").utf8))
    }
}

/// How `handoffd serve` writes its log.
package enum LogFormat: String, Sendable, CaseIterable {
    /// One JSON object per line, for production log collectors.
    case json
    /// Readable lines, for development.
    case text

    /// Installs the handler; call once per process, before any logger is made.
    package func bootstrap(level: Logger.Level = .info) {
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = self == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
