/// URL text from the bytes it was given in, for URLs that are not all UTF-8.
///
/// A URL is bytes: a list or an argument may hold one that is not UTF-8 (`/probe/` and the byte
/// 0xFF). Decoding it as UTF-8 would turn that byte into U+FFFD and send `%ef%bf%bd`. Instead
/// each byte outside a valid UTF-8 sequence becomes `%xx`, the escape libcurl (and so curl)
/// sends for it on the wire, so the request is the one curl makes and every report shows the
/// URL as it was sent; valid UTF-8, ASCII included, is kept as it is.
package enum URLBytes {
    /// The URL text of `bytes`.
    package static func text(_ bytes: some Collection<UInt8>) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        let array = Array(bytes)
        var text = ""
        text.reserveCapacity(array.count + 8)
        var index = 0
        while index < array.count {
            let length = sequenceLength(array, at: index)
            if length > 0, let scalar = String(validating: array[index..<index + length], as: UTF8.self) {
                text += scalar
                index += length
            } else {
                text += "%" + hex(array[index] >> 4) + hex(array[index] & 0x0F)
                index += 1
            }
        }
        return text
    }

    /// The length of the UTF-8 sequence its lead byte announces, when the bytes are there; 0
    /// for a byte that leads none.
    private static func sequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        switch lead {
        case 0x00...0x7F: length = 1
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return 0
        }
        return index + length <= bytes.count ? length : 0
    }

    private static func hex(_ nibble: UInt8) -> String {
        String(UnicodeScalar(nibble < 10 ? 0x30 + nibble : 0x57 + nibble))
    }
}
