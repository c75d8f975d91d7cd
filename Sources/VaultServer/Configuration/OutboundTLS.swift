import NIOSSL

/// The TLS every HTTPS connection handoffd makes uses (witnesses, webhook receivers): TLS 1.2 at
/// least, full certificate verification, the system's trust store plus `outbound_ca_file`.
enum OutboundTLS {
    static func configuration(caFile: String?) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .fullVerification
        if let caFile {
            tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(caFile))]
        }
        return tls
    }
}
