#if canImport(Glibc)
import Glibc
#endif

/// What tells one version of a file from another: device, inode, size and modification time. A file
/// replaced (Kubernetes swaps a projected volume's folder, an atomic write renames a new file over
/// it) or rewritten in place changes it.
struct FileVersion: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modifiedSeconds: Int
    let modifiedNanoseconds: Int

    /// The file's current version (following symbolic links), or nil when it cannot be examined.
    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        size = Int64(status.st_size)
        modifiedSeconds = Int(status.st_mtim.tv_sec)
        modifiedNanoseconds = Int(status.st_mtim.tv_nsec)
    }
}
