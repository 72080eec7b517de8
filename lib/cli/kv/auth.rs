//! `kv auth`, `kv user`, `kv role`: etcd 2's users and roles, with etcdctl's messages and exit
//! statuses (success on stdout with 0; any failure its message on stderr with 1). Where
//! etcdctl's text is a bug, kv says what happened: `role list` refused prints the server's
//! message (etcdctl: "unexpected status code 401"), and `user passwd` of a user that did not
//! exist says it was created (etcdctl prints an empty line); password prompts go to stderr.

use std::io::Write;

use serde_json::{Value, json};

use super::commands::{Ctx, Stop};
use super::{AuthCommand, PathFlags, RoleCommand, UserCommand};
use crate::client::{Answer, Client, Request};

type Res = Result<(), Stop>;

fn fail(ctx: &mut Ctx, msg: &str) -> Stop {
    let _ = ctx.out.flush();
    eprintln!("{msg}");
    Stop(1)
}

/// The server's `{"message": …}`, else its body.
fn message(a: &Answer) -> String {
    serde_json::from_str::<Value>(&a.body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| a.body.trim_end().to_string())
}

fn call(
    ctx: &mut Ctx,
    c: &Client,
    method: &'static str,
    path: &str,
    body: Option<Value>,
) -> Result<Answer, Stop> {
    let req = Request {
        method,
        target: path.to_string(),
        body: body.map(|b| ("application/json".into(), b.to_string().into_bytes())),
        long_poll: false,
    };
    c.send(&req).map_err(|e| fail(ctx, &e.to_string()))
}

/// Sends and checks the status: the answer's body as JSON, or its message as the failure.
fn expect(
    ctx: &mut Ctx,
    c: &Client,
    method: &'static str,
    path: &str,
    body: Option<Value>,
    ok: &[u16],
) -> Result<Value, Stop> {
    let a = call(ctx, c, method, path, body)?;
    if !ok.contains(&a.status) {
        return Err(fail(ctx, &message(&a)));
    }
    Ok(serde_json::from_str(&a.body).unwrap_or(Value::Null))
}

fn escape(name: &str) -> String {
    crate::api::form::escape_path(name).replace('/', "%2F")
}

fn no_args(ctx: &mut Ctx, args: &[String]) -> Res {
    if args.is_empty() { Ok(()) } else { Err(fail(ctx, "No arguments accepted")) }
}

fn one(ctx: &mut Ctx, args: &[String], what: &str) -> Result<String, Stop> {
    match args {
        [a] => Ok(a.clone()),
        _ => Err(fail(ctx, &format!("Please provide a {what}"))),
    }
}

fn ask_password(ctx: &mut Ctx, prompt: &str) -> Result<String, Stop> {
    let p = crate::cli::security::read_password(prompt).map_err(|e| fail(ctx, &e))?;
    Ok(p.trim().to_string())
}

pub fn auth(ctx: &mut Ctx, cmd: AuthCommand) -> Res {
    let (args, method, done) = match &cmd {
        AuthCommand::Enable { args } => (args, "PUT", "Authentication Enabled"),
        AuthCommand::Disable { args } => (args, "DELETE", "Authentication Disabled"),
    };
    no_args(ctx, args)?;
    let c = ctx.client(true)?;
    expect(ctx, &c, method, "/v2/auth/enable", None, &[200, 201])?;
    writeln!(ctx.out, "{done}")?;
    Ok(())
}

pub fn user(ctx: &mut Ctx, cmd: UserCommand) -> Res {
    match cmd {
        UserCommand::List { args } => {
            no_args(ctx, &args)?;
            let c = ctx.client(true)?;
            let v = expect(ctx, &c, "GET", "/v2/auth/users", None, &[200])?;
            for u in v["users"].as_array().into_iter().flatten() {
                writeln!(ctx.out, "{}", u["user"].as_str().unwrap_or(""))?;
            }
        }
        UserCommand::Add { args } => {
            let arg = one(ctx, &args, "username")?;
            let (name, password) = match arg.split_once(':') {
                Some((n, p)) => (n.to_string(), p.to_string()),
                None => (arg.clone(), ask_password(ctx, "New password: ")?),
            };
            let c = ctx.client(true)?;
            let body = json!({"user": name, "password": password, "roles": null});
            expect(ctx, &c, "PUT", &format!("/v2/auth/users/{}", escape(&name)), Some(body), &[200, 201])?;
            writeln!(ctx.out, "User {name} created")?;
        }
        UserCommand::Get { args } => {
            let name = one(ctx, &args, "username")?;
            let c = ctx.client(true)?;
            let v = expect(ctx, &c, "GET", &format!("/v2/auth/users/{}", escape(&name)), None, &[200])?;
            let roles: Vec<&str> =
                v["roles"].as_array().into_iter().flatten().filter_map(|r| r["role"].as_str()).collect();
            // etcdctl's layout, one space per role before the names included.
            writeln!(ctx.out, "User: {name}")?;
            writeln!(ctx.out, "Roles: {}{}", " ".repeat(roles.len()), roles.join(" "))?;
        }
        UserCommand::Remove { args } => {
            let name = one(ctx, &args, "username")?;
            let c = ctx.client(true)?;
            expect(ctx, &c, "DELETE", &format!("/v2/auth/users/{}", escape(&name)), None, &[200, 201])?;
            writeln!(ctx.out, "User {name} removed")?;
        }
        UserCommand::Grant { roles, args } => user_roles(ctx, true, roles, args)?,
        UserCommand::Revoke { roles, args } => user_roles(ctx, false, roles, args)?,
        UserCommand::Passwd { args } => {
            let name = one(ctx, &args, "username")?;
            let password = ask_password(ctx, "New password: ")?;
            let c = ctx.client(true)?;
            let body = json!({"user": name, "password": password, "roles": null});
            let a = call(ctx, &c, "PUT", &format!("/v2/auth/users/{}", escape(&name)), Some(body))?;
            match a.status {
                200 => writeln!(ctx.out, "Password updated")?,
                201 => {
                    return Err(fail(
                        ctx,
                        &format!("User {name} did not exist: it was created with this password"),
                    ));
                }
                _ => return Err(fail(ctx, &message(&a))),
            }
        }
    }
    Ok(())
}

fn user_roles(ctx: &mut Ctx, grant: bool, roles: Vec<String>, args: Vec<String>) -> Res {
    if roles.is_empty() {
        return Err(fail(ctx, "No roles specified; please use `--roles`"));
    }
    let name = one(ctx, &args, "username")?;
    let c = ctx.client(true)?;
    let body = json!({"user": name, "roles": null, (if grant { "grant" } else { "revoke" }): roles});
    expect(ctx, &c, "PUT", &format!("/v2/auth/users/{}", escape(&name)), Some(body), &[200])?;
    writeln!(ctx.out, "User {name} updated")?;
    Ok(())
}

/// etcdctl's canonical form of a path: rooted, cleaned, a trailing slash kept.
fn canonical(p: &str) -> String {
    let rooted = if p.starts_with('/') { p.to_string() } else { format!("/{p}") };
    let mut c = crate::store::clean_path(&rooted);
    if p.ends_with('/') && c != "/" {
        c.push('/');
    }
    c
}

fn role_permission(ctx: &mut Ctx, grant: bool, f: PathFlags) -> Res {
    let Some(path) = f.path.filter(|p| !p.is_empty()) else {
        return Err(fail(ctx, "No path specified; please use `--path`"));
    };
    let c = canonical(&path);
    if c != path {
        return Err(fail(ctx, &format!("Not canonical path; please use `--path={c}`")));
    }
    let (read, write) = match (f.read, f.write, f.readwrite) {
        (true, false, false) => (true, false),
        (false, true, false) => (false, true),
        (false, false, true) => (true, true),
        _ => return Err(fail(ctx, "Please specify exactly one of --read, --write or --readwrite")),
    };
    let name = one(ctx, &f.args, "role name")?;
    let client = ctx.client(true)?;
    let at = format!("/v2/auth/roles/{}", escape(&name));
    expect(ctx, &client, "GET", &at, None, &[200])?;
    let list = |on: bool| if on { json!([path]) } else { Value::Null };
    let body = json!({
        "role": name,
        "permissions": {"kv": {"read": null, "write": null}},
        (if grant { "grant" } else { "revoke" }): {"kv": {"read": list(read), "write": list(write)}},
    });
    expect(ctx, &client, "PUT", &at, Some(body), &[200])?;
    writeln!(ctx.out, "Role {name} updated")?;
    Ok(())
}

pub fn role(ctx: &mut Ctx, cmd: RoleCommand) -> Res {
    match cmd {
        RoleCommand::List { args } => {
            no_args(ctx, &args)?;
            let c = ctx.client(true)?;
            let v = expect(ctx, &c, "GET", "/v2/auth/roles", None, &[200])?;
            for r in v["roles"].as_array().into_iter().flatten() {
                writeln!(ctx.out, "{}", r["role"].as_str().unwrap_or(""))?;
            }
        }
        RoleCommand::Add { args } => {
            let name = one(ctx, &args, "role name")?;
            let c = ctx.client(true)?;
            let at = format!("/v2/auth/roles/{}", escape(&name));
            if call(ctx, &c, "GET", &at, None)?.status == 200 {
                return Err(fail(ctx, &format!("Role {name} already exists")));
            }
            let body = json!({"role": name, "permissions": {"kv": {"read": null, "write": null}}});
            expect(ctx, &c, "PUT", &at, Some(body), &[200, 201])?;
            writeln!(ctx.out, "Role {name} created")?;
        }
        RoleCommand::Get { args } => {
            let name = one(ctx, &args, "role name")?;
            let c = ctx.client(true)?;
            let v = expect(ctx, &c, "GET", &format!("/v2/auth/roles/{}", escape(&name)), None, &[200])?;
            writeln!(ctx.out, "Role: {name}")?;
            for (title, kind) in [("KV Read:", "read"), ("KV Write:", "write")] {
                writeln!(ctx.out, "{title}")?;
                for p in v["permissions"]["kv"][kind].as_array().into_iter().flatten() {
                    writeln!(ctx.out, "\t{}", p.as_str().unwrap_or(""))?;
                }
            }
        }
        RoleCommand::Remove { args } => {
            let name = one(ctx, &args, "role name")?;
            let c = ctx.client(true)?;
            expect(ctx, &c, "DELETE", &format!("/v2/auth/roles/{}", escape(&name)), None, &[200, 201])?;
            writeln!(ctx.out, "Role {name} removed")?;
        }
        RoleCommand::Grant(f) => role_permission(ctx, true, f)?,
        RoleCommand::Revoke(f) => role_permission(ctx, false, f)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn canonical_paths() {
        assert_eq!(super::canonical("rel"), "/rel");
        assert_eq!(super::canonical("/a/../b"), "/b");
        assert_eq!(super::canonical("/foo/*"), "/foo/*");
        assert_eq!(super::canonical("/dir/"), "/dir/");
    }
}
