import Foundation

/// Writes all of `bytes` to `descriptor`, again after a signal interrupts the call; gives up
/// on any other error, since a closed terminal or pipe must not stop the daemon.
func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) {
    guard let base = bytes.baseAddress else { return }
    var offset = 0
    while offset < bytes.count {
        let written = Foundation.write(descriptor, base + offset, bytes.count - offset)
        if written > 0 {
            offset += written
        } else if written < 0, errno == EINTR {
            continue
        } else {
            return
        }
    }
}
