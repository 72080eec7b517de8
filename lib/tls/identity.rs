//! Who a client certificate names: its subject's common name, which etcd 2 takes as the user
//! of a request that carries no credentials of its own (with client-certificate auth on).
//! Read straight from the DER (certificate → tbsCertificate → subject → the CN attribute).

/// The verified client certificate's common name, attached to each request of its connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientName(pub String);

/// One DER element: (tag, contents, what follows).
fn element(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = b.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        (rest[..n].iter().fold(0usize, |acc, &b| acc << 8 | b as usize), &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;
const VERSION: u8 = 0xa0;
/// 2.5.4.3, commonName.
const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];

/// The subject's common name of a DER certificate, if it has one.
pub fn common_name(der: &[u8]) -> Option<String> {
    let (SEQUENCE, cert, _) = element(der)? else { return None };
    let (SEQUENCE, tbs, _) = element(cert)? else { return None };
    let (tag, _, mut rest) = element(tbs)?;
    if tag == VERSION {
        rest = element(rest)?.2; // the serial number
    }
    // signature algorithm, issuer, validity; then the subject
    for _ in 0..3 {
        rest = element(rest)?.2;
    }
    let (SEQUENCE, mut subject, _) = element(rest)? else { return None };
    while let Some((SET, mut rdn, next)) = element(subject) {
        while let Some((SEQUENCE, attr, more)) = element(rdn) {
            if let Some((OID, oid, value)) = element(attr)
                && oid == COMMON_NAME
            {
                let (_, v, _) = element(value)?;
                return String::from_utf8(v.to_vec()).ok();
            }
            rdn = more;
        }
        subject = next;
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn common_names_of_certificates() {
        let mut p = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        p.distinguished_name.push(rcgen::DnType::OrganizationName, "corekit");
        p.distinguished_name.push(rcgen::DnType::CommonName, "alice");
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = p.self_signed(&key).unwrap();
        assert_eq!(super::common_name(cert.der()), Some("alice".to_string()));
        let mut p = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        p.distinguished_name = rcgen::DistinguishedName::new();
        let cert = p.self_signed(&key).unwrap();
        assert_eq!(super::common_name(cert.der()), None);
        assert_eq!(super::common_name(b"\x30\x82\xff"), None);
        assert_eq!(super::common_name(b""), None);
    }
}
