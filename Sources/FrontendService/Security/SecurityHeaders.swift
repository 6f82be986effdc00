import HashrCore

/// Headers on every answer of the frontend: the page, its files, the API, the results stream, and
/// the server's own errors (404, 405, 400 for a malformed request). The page's own answers replace
/// the Content-Security-Policy with the one it needs (`PageAssets.responseHeaders`).
enum SecurityHeaders {
    static let all = HTTPHeaders([
        // A JSON or text answer is never run as a script or rendered as HTML because of its bytes.
        ("X-Content-Type-Options", "nosniff"),
        // The page's links (/api/stats, /metrics) tell no other site where the demo runs.
        ("Referrer-Policy", "no-referrer"),
        // Nothing but the page needs to load anything, and nothing may be framed.
        ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ])
}
