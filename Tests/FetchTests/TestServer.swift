import HybridServer

/// One zero-latency server for the whole suite, on a port the system picks.
let testServer: EmbeddedServer = {
    do {
        return try EmbeddedServer.start(port: 0, latency: .zero, size: 1024, threads: 2)
    } catch {
        fatalError("the test server could not start: \(error)")
    }
}()

/// A port on loopback where nothing listens: a server's port, after that server stopped.
let closedPort: Int = {
    do {
        let server = try EmbeddedServer.start(port: 0, latency: .zero, size: 0, threads: 1)
        let port = server.port
        server.shutdown()
        return port
    } catch {
        fatalError("no free port: \(error)")
    }
}()
