import Foundation
import Testing

@testable import FrontendService

@Suite struct PageAssetsTests {
    static func text(_ assets: PageAssets, _ path: String) throws -> String {
        String(decoding: try #require(assets.asset(forPath: path)).body, as: UTF8.self)
    }

    @Test func bundledPageLoadsWithItsFiles() throws {
        let assets = try PageAssets.bundled()
        #expect(assets.paths == ["/", "/app.js", "/index.html", "/style.css"])
        #expect(assets.asset(forPath: "/") == assets.asset(forPath: "/index.html"))
        #expect(assets.asset(forPath: "/")?.contentType == "text/html; charset=utf-8")
        #expect(assets.asset(forPath: "/app.js")?.contentType == "text/javascript; charset=utf-8")
        #expect(assets.asset(forPath: "/style.css")?.contentType == "text/css; charset=utf-8")
        #expect(assets.asset(forPath: "/app.js?v=2") != nil)
    }

    @Test func onlyThePagesOwnFilesAreServed() throws {
        let assets = try PageAssets.bundled()
        for path in ["/missing.js", "/../Package.swift", "/Page/index.html", "index.html", "", "/.", "/api/stats"] {
            #expect(assets.asset(forPath: path) == nil, "\(path)")
        }
    }

    @Test func pageKeepsTheOriginalsTitleHeadingAndQuestion() throws {
        let html = try Self.text(PageAssets.bundled(), "/")
        #expect(html.contains("<title>String Hashr</title>"))
        #expect(html.contains("<h1>String Hashr</h1>"))
        #expect(html.contains("What's the frequency?"))
        #expect(html.contains(#"<script src="app.js" defer></script>"#))
        #expect(html.contains(#"<link rel="stylesheet" href="style.css">"#))
    }

    @Test(arguments: [
        "rate-input", "results", "achieved-rate", "target-rate", "succeeded", "failed", "dropped", "p50", "p99",
        "share-primary", "share-burst", "connection-status", "share-chart", "key-form", "key-input", "key-message",
    ])
    func pageHasTheStableIdsBrowserTestsUse(id: String) throws {
        let html = try Self.text(PageAssets.bundled(), "/")
        #expect(html.components(separatedBy: #"id="\#(id)""#).count == 2, "exactly one element with id \(id)")
    }

    @Test func pageIsSelfContained() throws {
        let assets = try PageAssets.bundled()
        for path in ["/", "/app.js", "/style.css"] {
            let text = try Self.text(assets, path)
            // Nothing fetched from elsewhere: no absolute or protocol-relative URL in an attribute, a CSS
            // url() or @import, or a script (the SVG namespace inside the data-URI favicon is not a fetch).
            for pattern in [#"src="http"#, #"href="http"#, #"src="//"#, #"href="//"#, "url(http", "url(//", "@import"] {
                #expect(!text.contains(pattern), "\(path) contains \(pattern)")
            }
            #expect(!text.contains("fetch(\"http") && !text.contains("EventSource(\"http"), "\(path)")
            #expect(!text.contains("fonts.googleapis") && !text.contains("cdn"), "\(path)")
        }
    }

    @Test func scriptInsertsMessagesAsTextOnly() throws {
        let script = try Self.text(PageAssets.bundled(), "/app.js")
        #expect(!script.contains("innerHTML") && !script.contains("outerHTML"))
        #expect(!script.contains("insertAdjacentHTML") && !script.contains("document.write"))
        #expect(script.contains("item.textContent = message"))
        // The API paths are relative, so the page also works behind a path prefix.
        for path in [#""api/rate""#, #""api/stats""#, #""api/results""#] { #expect(script.contains(path)) }
        #expect(script.contains(#"addEventListener("calculation""#))
        #expect(script.contains("const MAX_ITEMS = 200;"))
    }

    @Test func etagChangesWithTheContent() {
        let first = PageAsset(contentType: "text/plain", body: Array("one".utf8))
        let same = PageAsset(contentType: "text/plain", body: Array("one".utf8))
        let other = PageAsset(contentType: "text/plain", body: Array("two".utf8))
        #expect(first.etag == same.etag && first.etag != other.etag)
        #expect(first.etag.hasPrefix("\"") && first.etag.hasSuffix("\"") && first.etag.count == 18)
        // FNV-1a of the empty input is its offset basis.
        #expect(PageAsset.fingerprint([]) == "cbf29ce484222325")
        #expect(PageAsset.fingerprint(Array("a".utf8)) == "af63dc4c8601ec8c")
    }

    @Test func contentTypesByExtension() {
        #expect(PageAsset.contentType(forFileName: "logo.SVG") == "image/svg+xml")
        #expect(PageAsset.contentType(forFileName: "favicon.ico") == "image/x-icon")
        #expect(PageAsset.contentType(forFileName: "README") == "application/octet-stream")
    }

    @Test func servesAnyFilesAndRequiresAnIndex() throws {
        let style = (name: "style.css", body: Array("body{}".utf8))
        let hidden = (name: ".hidden", body: Array("x".utf8))
        #expect(throws: PageAssetsError.self) { try PageAssets(files: [style, hidden]) }
        let assets = try PageAssets(files: [style, hidden, ("index.html", Array("<p>hi</p>".utf8))])
        #expect(assets.paths == ["/", "/index.html", "/style.css"])
        #expect(try Self.text(assets, "/") == "<p>hi</p>")
    }

    @Test func theEmbeddedPageIsTheSourceFolder() throws {
        // SwiftPM embeds the files at build time; this catches a file added to Page/ but not to Package.swift.
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/FrontendService/Page").standardizedFileURL
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }
        let assets = try PageAssets.bundled()
        #expect(Set(names.map { "/" + $0 }) == Set(assets.paths).subtracting(["/"]))
        for name in names {
            let onDisk = try Data(contentsOf: folder.appendingPathComponent(name))
            #expect(assets.asset(forPath: "/" + name)?.body == Array(onDisk), "\(name)")
        }
    }

    @Test func securityHeadersAllowOnlyTheOrigin() {
        let headers = Dictionary(uniqueKeysWithValues: PageAssets.responseHeaders.map { ($0.name, $0.value) })
        #expect(headers["Content-Security-Policy"]?.hasPrefix("default-src 'self'") == true)
        #expect(headers["X-Content-Type-Options"] == "nosniff")
    }
}
