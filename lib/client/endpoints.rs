//! Endpoint lists: where they come from (flags, then `KV_ENDPOINTS`, then `ETCDCTL_ENDPOINTS`
//! and etcdctl's older variables) and how they are checked.

use super::Error;

/// etcdctl's default: both client ports etcd 2 listened on.
pub const DEFAULT_ENDPOINTS: &str = "http://127.0.0.1:2379,http://127.0.0.1:4001";

/// The endpoint list to use: the first non-empty of `flag`, `$KV_ENDPOINTS`,
/// `$ETCDCTL_ENDPOINTS`, then the deprecated `--endpoint`/`$ETCDCTL_ENDPOINT` and
/// `--peers`/`$ETCDCTL_PEERS`, else [`DEFAULT_ENDPOINTS`].
pub fn resolve(flag: Option<&str>, endpoint_flag: Option<&str>, peers_flag: Option<&str>) -> String {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let given = |v: Option<&str>| v.filter(|s| !s.is_empty()).map(str::to_string);
    given(flag)
        .or_else(|| env("KV_ENDPOINTS"))
        .or_else(|| env("ETCDCTL_ENDPOINTS"))
        .or_else(|| given(endpoint_flag))
        .or_else(|| env("ETCDCTL_ENDPOINT"))
        .or_else(|| given(peers_flag))
        .or_else(|| env("ETCDCTL_PEERS"))
        .unwrap_or_else(|| DEFAULT_ENDPOINTS.to_string())
}

/// Splits a comma list into endpoint URLs without a trailing slash. A bare `host:port` is
/// refused with the message Go's URL parser gives (etcdctl prints exactly that); a bare host
/// gets `http://`.
pub fn parse(list: &str) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    for raw in list.split(',') {
        let ep = raw.trim();
        if ep.is_empty() {
            continue;
        }
        let url = match ep.split_once("://") {
            Some((scheme, rest)) => {
                if scheme != "http" && scheme != "https" {
                    return Err(Error::BadEndpoint(format!("unsupported scheme in endpoint {ep:?}")));
                }
                if rest.is_empty() {
                    return Err(Error::BadEndpoint(format!("endpoint {ep:?} names no host")));
                }
                ep.to_string()
            }
            None => {
                let first = ep.split('/').next().unwrap_or("");
                if first.contains(':') {
                    return Err(Error::BadEndpoint(format!(
                        "parse {ep:?}: first path segment in URL cannot contain colon"
                    )));
                }
                format!("http://{ep}")
            }
        };
        out.push(url.trim_end_matches('/').to_string());
    }
    if out.is_empty() {
        return Err(Error::NoEndpoints);
    }
    Ok(out)
}

/// `host:port` of an endpoint URL, as Go's dialer names it in errors (port 80/443 when absent).
pub fn host_port(endpoint: &str) -> String {
    let (scheme, rest) = endpoint.split_once("://").unwrap_or(("http", endpoint));
    let authority = rest.split('/').next().unwrap_or(rest);
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let has_port =
        if authority.starts_with('[') { authority.contains("]:") } else { authority.contains(':') };
    if has_port {
        authority.to_string()
    } else {
        format!("{authority}:{}", if scheme == "https" { 443 } else { 80 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_etcdctl() {
        assert_eq!(parse("http://a:1/, http://b:2").unwrap(), vec!["http://a:1", "http://b:2"]);
        assert_eq!(parse("somehost").unwrap(), vec!["http://somehost"]);
        let e = parse("127.0.0.1:2379").unwrap_err().to_string();
        assert_eq!(e, r#"parse "127.0.0.1:2379": first path segment in URL cannot contain colon"#);
        assert_eq!(host_port("http://127.0.0.1"), "127.0.0.1:80");
        assert_eq!(host_port("http://127.0.0.1:2379/x"), "127.0.0.1:2379");
    }
}
