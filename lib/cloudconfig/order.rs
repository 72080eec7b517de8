//! The order `coreos.units` commands run in: a unit after the units it is `After=`,
//! `Requires=` or `BindsTo=`, and before those it is `Before=` — not list order, which is what
//! coreos-cloudinit used (coreos/bugs#1635). Among units with no ordering between them the
//! list order is kept. A cycle is refused.

use super::units::canonical;
use super::yaml::{Mark, Node};

/// A unit to order: its (canonical) name and its text, if known.
pub struct Item<'a> {
    pub name: String,
    pub text: Option<&'a str>,
    pub mark: Mark,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Cycle {
    pub mark: Mark,
    pub message: String,
}

/// Names a unit must come after (`After=`, `Requires=`, `BindsTo=`) and before (`Before=`).
fn deps(text: &str) -> (Vec<String>, Vec<String>) {
    let Ok(f) = crate::unit::syntax::parse_syntax("unit", text) else { return Default::default() };
    let (mut after, mut before) = (Vec::new(), Vec::new());
    for e in f.section("Unit") {
        let list = match e.key.as_str() {
            "After" | "Requires" | "BindsTo" => &mut after,
            "Before" => &mut before,
            _ => continue,
        };
        if e.value.is_empty() {
            list.clear();
        }
        list.extend(e.value.split_whitespace().map(|n| canonical(n).to_string()));
    }
    (after, before)
}

/// The positions of `items` in the order their commands run.
pub fn order(items: &[Item]) -> Result<Vec<usize>, Cycle> {
    let n = items.len();
    let idx = |name: &str| items.iter().position(|i| i.name == name);
    // edges[a] holds b when a must run before b.
    let mut edges = vec![Vec::new(); n];
    let mut indeg = vec![0usize; n];
    for (i, it) in items.iter().enumerate() {
        let (after, before) = it.text.map(deps).unwrap_or_default();
        for a in after.iter().filter_map(|a| idx(a)).filter(|&a| a != i) {
            edges[a].push(i);
        }
        for b in before.iter().filter_map(|b| idx(b)).filter(|&b| b != i) {
            edges[i].push(b);
        }
    }
    for e in &edges {
        for &b in e {
            indeg[b] += 1;
        }
    }
    let mut done = Vec::with_capacity(n);
    let mut taken = vec![false; n];
    while done.len() < n {
        // The first unit in list order that waits for nothing.
        let Some(next) = (0..n).find(|&i| !taken[i] && indeg[i] == 0) else {
            let stuck: Vec<&str> = (0..n).filter(|&i| !taken[i]).map(|i| items[i].name.as_str()).collect();
            let first = (0..n).find(|&i| !taken[i]).expect("some unit is left");
            return Err(Cycle {
                mark: items[first].mark,
                message: format!(
                    "units that order themselves after each other (a cycle): {}",
                    stuck.join(", ")
                ),
            });
        };
        taken[next] = true;
        done.push(next);
        for &b in &edges[next] {
            indeg[b] -= 1;
        }
    }
    Ok(done)
}

/// Validation's check: the units given with content, ordered, or the cycle.
pub fn check(coreos: &Node) -> Result<(), Cycle> {
    let Some(units) = coreos
        .entries()
        .and_then(|e| e.iter().rev().find(|e| e.key.text() == Some("units")))
        .and_then(|e| e.value.items())
    else {
        return Ok(());
    };
    let field = |u: &Node, k: &str| {
        u.entries()?
            .iter()
            .rev()
            .find(|e| e.key.text().is_some_and(|t| t.replace('-', "_") == k))
            .and_then(|e| e.value.text().map(str::to_string))
    };
    let owned: Vec<(String, Option<String>, Mark)> = units
        .iter()
        .filter_map(|u| Some((canonical(&field(u, "name")?).to_string(), field(u, "content"), u.mark)))
        .collect();
    let items: Vec<Item> =
        owned.iter().map(|(n, t, m)| Item { name: n.clone(), text: t.as_deref(), mark: *m }).collect();
    order(&items).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item<'a>(name: &str, text: &'a str) -> Item<'a> {
        Item { name: name.into(), text: Some(text), mark: Mark::default() }
    }

    #[test]
    fn dependencies_before_list_order() {
        let items = [
            item("web.service", "[Unit]\nAfter=db.service\nRequires=cache.service\n"),
            item("db.service", "[Unit]\nDescription=db\n"),
            item("cache.service", ""),
            item("log.service", "[Unit]\nBefore=db.service\n"),
        ];
        let o = order(&items).unwrap();
        let names: Vec<&str> = o.iter().map(|&i| items[i].name.as_str()).collect();
        assert_eq!(names, ["cache.service", "log.service", "db.service", "web.service"]);
    }

    #[test]
    fn aliases_count_and_cycles_are_refused() {
        let items = [item("app.service", "[Unit]\nAfter=etcd2.service\n"), item("kv-serve.service", "")];
        assert_eq!(order(&items).unwrap(), [1, 0]);
        let items =
            [item("a.service", "[Unit]\nAfter=b.service\n"), item("b.service", "[Unit]\nAfter=a.service\n")];
        assert!(order(&items).unwrap_err().message.contains("a.service, b.service"));
    }
}
