import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A tool the TLS tests need is not installed: the test fails and says what to install.
struct MissingTool: Error, CustomStringConvertible {
    let tool: String
    var description: String {
        "\(tool) is missing: install nginx-light and openssl (apt-get install -y nginx-light openssl)"
    }
}

/// The path of `name` on PATH or in the sbin directories (nginx lives in /usr/sbin).
func findTool(_ name: String) throws -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin"]
    for directory in directories where access("\(directory)/\(name)", X_OK) == 0 {
        return "\(directory)/\(name)"
    }
    throw MissingTool(tool: name)
}

/// Runs a tool to its end; throws with its output when it fails.
@discardableResult
func runTool(_ path: String, _ arguments: [String], in directory: URL) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else {
        throw SocketError(description: "\(path) \(arguments.joined(separator: " ")): \(text)")
    }
    return text
}

/// A certificate authority and a certificate for 127.0.0.1 and localhost signed by it, made by
/// openssl once per test run in a temporary directory (never committed), removed at exit.
struct TestCertificates {
    let directory: URL
    var authority: String { directory.appendingPathComponent("authority.pem").path }
    var certificate: String { directory.appendingPathComponent("server.pem").path }
    var key: String { directory.appendingPathComponent("server.key").path }

    static let shared: Result<TestCertificates, any Error> = Result {
        let openssl = try findTool("openssl")
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hybrid-tls-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        atexit {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(
                "hybrid-tls-\(getpid())")
            try? FileManager.default.removeItem(at: path)
        }
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try runTool(
            openssl,
            ["req", "-x509"] + curve + [
                "-keyout", "authority.key", "-out", "authority.pem", "-days", "2",
                "-subj", "/CN=hybrid test authority",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ], in: directory)
        try runTool(
            openssl,
            ["req"] + curve + [
                "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1",
            ], in: directory)
        try Data(
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                .utf8
        ).write(to: directory.appendingPathComponent("server.ext"))
        try runTool(
            openssl,
            [
                "x509", "-req", "-in", "server.csr", "-CA", "authority.pem", "-CAkey",
                "authority.key", "-CAcreateserial", "-out", "server.pem", "-days", "2",
                "-extfile", "server.ext",
            ], in: directory)
        return TestCertificates(directory: directory)
    }
}

/// nginx from a temporary prefix on two free loopback ports, as a user would run it: HTTPS with
/// HTTP/2 on `httpsPort` (the test certificate), plain HTTP on `httpPort` that redirects every
/// path to HTTPS but /plain/ (the same files, over plain HTTP). nginx ends each connection after
/// `keepaliveRequests` requests (HTTP/2 with a GOAWAY). Paths: /1k.bin (1024 bytes), /page.txt (text, gzip-compressible),
/// /loop (redirects to itself), /to-page (301 to /page.txt), /agent and /header (echo the
/// User-Agent and X-Test request headers).
final class NginxServer {
    let httpsPort: Int
    let httpPort: Int
    let certificates: TestCertificates
    private let process: Process
    private let prefix: URL

    var https: String { "https://127.0.0.1:\(httpsPort)" }
    var http: String { "http://127.0.0.1:\(httpPort)" }

    /// Starts nginx and waits until it accepts connections (at most 5 s).
    init(keepaliveRequests: Int = 100_000) throws {
        let nginx = try findTool("nginx")
        certificates = try TestCertificates.shared.get()
        prefix = FileManager.default.temporaryDirectory
            .appendingPathComponent("hybrid-nginx-\(UUID().uuidString)")
        let www = prefix.appendingPathComponent("www")
        try FileManager.default.createDirectory(
            at: prefix.appendingPathComponent("temp"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: www, withIntermediateDirectories: true)
        try Data(repeating: UInt8(ascii: "x"), count: 1024).write(
            to: www.appendingPathComponent("1k.bin"))
        let page = (1...400).map { "line \($0) of a page that compresses well\n" }.joined()
        try Data(page.utf8).write(to: www.appendingPathComponent("page.txt"))
        httpsPort = try freeLoopbackPort()
        httpPort = try freeLoopbackPort()
        let temp = prefix.appendingPathComponent("temp").path
        let config = """
            daemon off;
            master_process off;
            worker_processes 1;
            pid \(prefix.path)/nginx.pid;
            error_log \(prefix.path)/error.log;
            events { worker_connections 1024; }
            http {
                access_log off;
                default_type application/octet-stream;
                types { text/plain txt; }
                client_body_temp_path \(temp);
                proxy_temp_path \(temp);
                fastcgi_temp_path \(temp);
                uwsgi_temp_path \(temp);
                scgi_temp_path \(temp);
                keepalive_requests \(keepaliveRequests);
                gzip on;
                gzip_types text/plain;
                gzip_min_length 100;
                server {
                    listen 127.0.0.1:\(httpsPort) ssl http2;
                    ssl_certificate \(certificates.certificate);
                    ssl_certificate_key \(certificates.key);
                    root \(www.path);
                    location = /loop { return 302 /loop; }
                    location = /to-page { return 301 /page.txt; }
                    location = /agent { return 200 "$http_user_agent"; }
                    location = /header { return 200 "$http_x_test"; }
                }
                server {
                    listen 127.0.0.1:\(httpPort);
                    location /plain/ { alias \(www.path)/; }
                    location / { return 301 https://127.0.0.1:\(httpsPort)$request_uri; }
                }
            }
            """
        let configPath = prefix.appendingPathComponent("nginx.conf").path
        try Data(config.utf8).write(to: URL(fileURLWithPath: configPath))
        process = Process()
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = ["-c", configPath, "-p", prefix.path + "/"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if let socket = try? connectLoopback(port: httpsPort) {
                close(socket)
                if let plain = try? connectLoopback(port: httpPort) {
                    close(plain)
                    return
                }
            }
            if !process.isRunning { break }
            usleep(20_000)
        }
        let log = (try? String(contentsOfFile: "\(prefix.path)/error.log", encoding: .utf8)) ?? ""
        stop()
        throw SocketError(description: "nginx did not start: \(log)")
    }

    /// Stops nginx and removes its prefix.
    func stop() {
        if process.isRunning {
            // SIGKILL: nginx without a master process keeps the signal mask it inherits, and a
            // test runner's threads block SIGTERM. It has no children to orphan.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: prefix)
    }

    deinit { stop() }
}

/// Runs `body` with a fresh nginx, stopped afterwards whatever happens.
func withNginx(keepaliveRequests: Int = 100_000, _ body: (NginxServer) throws -> Void) throws {
    let server = try NginxServer(keepaliveRequests: keepaliveRequests)
    defer { server.stop() }
    try body(server)
}
