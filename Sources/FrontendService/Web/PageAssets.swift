import Foundation

/// The String Hashr page (`Sources/FrontendService/Page/`), loaded into memory once and served from it.
///
/// The files ship as the target's resource bundle (`.copy("Page")`), so the page needs nothing from
/// the internet: it works in an air-gapped cluster. A deployment must copy the
/// `<package>_FrontendService.resources` folder next to the `frontend` binary, where `Bundle.module`
/// looks first.
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

    /// Loads every file of `directory`.
    public init(directory: URL) throws(PageAssetsError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw PageAssetsError("cannot list the page folder \(directory.path): \(error)")
        }
        var assets: [String: PageAsset] = [:]
        for name in names where !name.hasPrefix(".") {
            let file = directory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: file.path) else {
                throw PageAssetsError("cannot read \(file.path)")
            }
            assets["/" + name] = PageAsset(contentType: PageAsset.contentType(forFileName: name), body: Array(data))
        }
        guard let index = assets["/index.html"] else {
            throw PageAssetsError("the page folder \(directory.path) has no index.html")
        }
        assets["/"] = index
        self.assets = assets
    }

    /// Loads the page from the target's resource bundle.
    public static func bundled() throws(PageAssetsError) -> PageAssets {
        guard let directory = Bundle.module.url(forResource: "Page", withExtension: nil) else {
            throw PageAssetsError("the resource bundle \(Bundle.module.bundlePath) has no Page folder")
        }
        return try PageAssets(directory: directory)
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
