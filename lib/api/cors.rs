//! Cross-origin requests, as etcd's `--cors` allows them: with `*` (etcd's default, and what an
//! empty list means) every answer carries `Access-Control-Allow-Origin: *` and the allowed
//! methods and headers; with a list of origins, only an answer to a request whose `Origin` is
//! one of them does (naming that origin). An `OPTIONS` preflight, to any path, is answered 200
//! with an empty body either way.

use hyper::header::HeaderValue;
use hyper::{Method, Request, StatusCode};

use super::http::{self, Resp};

const ALLOW_METHODS: &str = "POST, GET, OPTIONS, PUT, DELETE";
const ALLOW_HEADERS: &str = "accept, content-type, authorization";

/// `--cors`: which origins may read answers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Cors {
    #[default]
    Any,
    Origins(Vec<String>),
}

impl Cors {
    /// Parses `--cors`: `*`, empty, or comma-separated origins, each `scheme://host:port` (etcd
    /// refuses an origin without a port, and so do we).
    pub fn parse(list: &str) -> Result<Cors, String> {
        let mut origins = Vec::new();
        for o in list.split(',').map(str::trim).filter(|o| !o.is_empty()) {
            if o == "*" {
                return Ok(Cors::Any);
            }
            let (scheme, rest) = o.split_once("://").ok_or_else(|| format!("{o:?} is not a URL"))?;
            if !matches!(scheme, "http" | "https") {
                return Err(format!("{o:?}: the scheme must be http or https"));
            }
            let port_ok = rest
                .rsplit_once(':')
                .is_some_and(|(h, p)| !h.is_empty() && !p.is_empty() && p.parse::<u16>().is_ok());
            if !port_ok || rest.contains('/') {
                return Err(format!("URL address does not have the form \"host:port\": {o}"));
            }
            origins.push(o.to_string());
        }
        Ok(if origins.is_empty() { Cors::Any } else { Cors::Origins(origins) })
    }

    /// The answer to an `OPTIONS` request, if this is one.
    pub fn preflight<B>(&self, req: &Request<B>) -> Option<Resp> {
        if req.method() != Method::OPTIONS {
            return None;
        }
        let mut r = http::text(StatusCode::OK, "");
        r.headers_mut().remove(hyper::header::CONTENT_TYPE);
        self.decorate(origin(req).as_ref(), &mut r);
        Some(r)
    }

    /// Adds the headers to an answer to a request from `origin`, when it is allowed.
    pub fn decorate(&self, origin: Option<&HeaderValue>, resp: &mut Resp) {
        let allow = match self {
            Cors::Any => HeaderValue::from_static("*"),
            Cors::Origins(list) => match origin {
                Some(o) if list.iter().any(|a| a.as_bytes() == o.as_bytes()) => o.clone(),
                _ => return,
            },
        };
        let h = resp.headers_mut();
        h.insert("Access-Control-Allow-Methods", HeaderValue::from_static(ALLOW_METHODS));
        h.insert("Access-Control-Allow-Origin", allow);
        h.insert("Access-Control-Allow-Headers", HeaderValue::from_static(ALLOW_HEADERS));
    }
}

/// The request's `Origin` header.
pub fn origin<B>(req: &Request<B>) -> Option<HeaderValue> {
    req.headers().get(hyper::header::ORIGIN).cloned()
}

#[cfg(test)]
mod tests {
    use super::Cors;

    #[test]
    fn parses_like_etcd() {
        assert_eq!(Cors::parse("*"), Ok(Cors::Any));
        assert_eq!(Cors::parse(""), Ok(Cors::Any));
        assert_eq!(
            Cors::parse("http://a.example:80,https://b.example:8443"),
            Ok(Cors::Origins(vec!["http://a.example:80".into(), "https://b.example:8443".into()]))
        );
        assert_eq!(Cors::parse("http://a.example:80,*"), Ok(Cors::Any));
        assert_eq!(
            Cors::parse("http://a.example"),
            Err("URL address does not have the form \"host:port\": http://a.example".into())
        );
        assert!(Cors::parse("a.example:80").is_err());
        assert!(Cors::parse("ftp://a.example:21").is_err());
        assert!(Cors::parse("http://a.example:80/path").is_err());
    }
}
