import CLibUV

/// Memory for one libuv handle, freed only from its close callback (libuv may still touch the
/// handle until then).
///
/// The owner stores `Unmanaged.passRetained(owner)` in `data`; the close callback calls
/// `releaseOwnerAndFree` so the owner lives exactly as long as its handle.
enum HandleMemory {
    static func allocate<Handle>(_ type: Handle.Type) -> UnsafeMutablePointer<Handle> {
        let pointer = UnsafeMutablePointer<Handle>.allocate(capacity: 1)
        UnsafeMutableRawPointer(pointer).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<Handle>.size)
        return pointer
    }

    /// Closes `handle`; once libuv is done with it, releases the owner stored in `data` and frees it.
    static func close<Handle>(_ handle: UnsafeMutablePointer<Handle>) {
        let raw = UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_handle_t.self)
        guard uv_is_closing(raw) == 0 else { return }
        uv_close(raw) { handle in
            if let data = handle!.pointee.data {
                Unmanaged<AnyObject>.fromOpaque(data).release()
            }
            UnsafeMutableRawPointer(handle!).deallocate()
        }
    }

    static func asHandle<Handle>(_ handle: UnsafeMutablePointer<Handle>) -> UnsafeMutablePointer<uv_handle_t> {
        UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_handle_t.self)
    }

    static func asStream<Handle>(_ handle: UnsafeMutablePointer<Handle>) -> UnsafeMutablePointer<uv_stream_t> {
        UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_stream_t.self)
    }

    static func owner<Owner: AnyObject>(_ data: UnsafeMutableRawPointer?, as type: Owner.Type) -> Owner {
        Unmanaged<Owner>.fromOpaque(data!).takeUnretainedValue()
    }
}
