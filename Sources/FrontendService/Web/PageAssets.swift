/// The String Hashr page (`Sources/FrontendService/Page/`), loaded into memory once and served from it.
///
/// The files are compiled into the binary (`.embedInCode` in Package.swift), so the page needs
/// nothing from the internet, nor any file beside the binary: it works in an air-gapped cluster.
public struct PageAssets: Sendable {
    private let assets: [String: PageAsset]

    /// Headers for every page answer. The page loads only its own files (the favicon is a data URI),
    /// so a strict Content-Security-Policy costs nothing and makes an injected script inert.
    public static let responseHeaders: [(name: String, value: String)] = [
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
        ),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        // Revalidate each time (the ETag makes that cheap) so a new rollout's page is used at once.
        ("Cache-Control", "no-cache"),
    ]

    /// Serves `files` (name and bytes; names starting with `.` are left out). There must be an
    /// `index.html`, which also answers `/`.
    public init(files: [(name: String, body: [UInt8])]) throws(PageAssetsError) {
        var assets: [String: PageAsset] = [:]
        for (name, body) in files where !name.hasPrefix(".") {
            assets["/" + name] = PageAsset(contentType: PageAsset.contentType(forFileName: name), body: body)
        }
        guard let index = assets["/index.html"] else {
            throw PageAssetsError("the page has no index.html")
        }
        assets["/"] = index
        self.assets = assets
    }

    /// The page compiled into the binary (`Sources/FrontendService/Page/`, embedded by SwiftPM).
    public static func bundled() throws(PageAssetsError) -> PageAssets {
        try PageAssets(files: [
            ("index.html", PackageResources.index_html),
            ("app.js", PackageResources.app_js),
            ("style.css", PackageResources.style_css),
        ])
    }

    /// The asset for a request path (`/`, `/index.html`, `/app.js`, ...), ignoring any query; nil for
    /// anything else. Only names found in the folder match, so no path can reach outside it.
    public func asset(forPath path: String) -> PageAsset? {
        let withoutQuery = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return assets[String(withoutQuery)]
    }

    /// Every path served, sorted: for registering routes.
    public var paths: [String] { assets.keys.sorted() }
}
