import HandoffDomain
import Testing

/// What pasting adds to a credential is removed, and nothing else: on the fast path (printable
/// ASCII, as every request's token is) and on the scalar-wise one alike.
@Suite("Pasted credentials")
struct PastedCredentialTests {
    @Test("Cleaning removes spaces, line breaks, a byte order mark and one pair of quotes, and changes nothing else", arguments: [
        ("hv_cus_AbC-_09", "hv_cus_AbC-_09"),
        ("\"hv_cus_abc\"", "hv_cus_abc"),
        ("'hv_cus_abc'", "hv_cus_abc"),
        ("`hv_cus_abc`", "hv_cus_abc"),
        ("\u{201C}hv_cus_abc\u{201D}", "hv_cus_abc"),
        ("hv_cus_abc'", "hv_cus_abc'"),
        ("'hv_cus_abc", "'hv_cus_abc"),
        ("\"hv_cus_abc'", "\"hv_cus_abc'"),
        ("hv_cus_ab c", "hv_cus_abc"),
        ("hv_cus_ab\r\nc\t", "hv_cus_abc"),
        ("\u{FEFF}hv_cus_abc", "hv_cus_abc"),
        ("hv\u{00A0}_cus", "hv_cus"),
        ("a\u{7F}b", "a\u{7F}b"),
        ("a\u{01}b", "a\u{01}b"),
        ("\u{E9}t\u{E9}", "\u{E9}t\u{E9}"),
        ("\"\"", ""),
        ("\"", "\""),
        ("", ""),
    ])
    func cleaned(pasted: String, expected: String) {
        #expect(PastedCredential.cleaned(pasted) == expected)
    }
}
