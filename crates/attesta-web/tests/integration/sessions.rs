//! Sessions (issue 16): `__Host-` cookies over https, a new session at
//! login that ends the one before, logout that ends the session on the
//! server. Cookies are sent by hand, so an old value can be replayed.

use attesta_testkit::TestEngine;
use attesta_testkit::people::{MARIO, cf};
use serde_json::json;

use crate::support::{TestApp, client, csrf_of};

/// Logs in by demo login, sending `cookie` (if any) as the browser would;
/// returns the `Set-Cookie` header.
async fn login(t: &TestApp, cf: &str, cookie: Option<&str>) -> String {
    let mut r = client()
        .post(t.url("/api/v1/demo/login"))
        .json(&json!({"fiscal_code": cf, "role": "citizen"}));
    if let Some(c) = cookie {
        r = r.header("cookie", c);
    }
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.headers()["set-cookie"].to_str().unwrap().to_owned()
}

/// `name=value` of a `Set-Cookie` header.
fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

async fn me_status(t: &TestApp, cookie: &str) -> u16 {
    client()
        .get(t.url("/api/v1/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

pub async fn https_sessions_use_a_host_prefixed_cookie(engine: TestEngine) {
    let Some(t) = TestApp::builder(engine)
        .public_url("https://attesta.example.it")
        .secure_cookies()
        .spawn()
        .await
    else {
        return;
    };
    t.person_with(MARIO, "1980-01-01", json!({"handicap": "art3_c3"}))
        .await;
    let set = login(&t, MARIO, None).await;
    assert!(set.starts_with("__Host-attesta_session="), "{set}");
    assert!(set.contains("; Secure") && set.contains("Path=/;"), "{set}");
    assert!(!set.to_ascii_lowercase().contains("domain"), "{set}");
    let value = pair(&set).split_once('=').unwrap().1.to_owned();
    assert_eq!(
        me_status(&t, &format!("__Host-attesta_session={value}")).await,
        200
    );
    // The unprefixed name (which a sibling subdomain could set) is not read.
    assert_eq!(
        me_status(&t, &format!("attesta_session={value}")).await,
        401
    );
    // The API document names the cookie this server sets.
    let doc: serde_json::Value = t
        .http
        .get(t.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        doc["components"]["securitySchemes"]["session"]["name"],
        "__Host-attesta_session"
    );
}

pub async fn a_login_ends_the_session_before_it(t: TestApp) {
    let other = cf("VRDLCU90C15F205");
    for person in [MARIO, other.as_str()] {
        t.person_with(person, "1980-01-01", json!({"handicap": "art3_c3"}))
            .await;
    }
    let first = pair(&login(&t, MARIO, None).await);
    assert_eq!(me_status(&t, &first).await, 200);
    // The same browser logs in again (as someone else): a new id, and the
    // one it carried no longer works for anyone.
    let second = pair(&login(&t, &other, Some(&first)).await);
    assert_ne!(first, second);
    assert_eq!(me_status(&t, &first).await, 401);
    assert_eq!(me_status(&t, &second).await, 200);
    // A value the browser made up is never adopted: the login sets its own.
    let planted =
        "attesta_session=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    let third = pair(&login(&t, MARIO, Some(planted)).await);
    assert_ne!(third, planted);
    assert_eq!(me_status(&t, planted).await, 401);
}

pub async fn a_session_ends_after_30_idle_minutes(t: TestApp) {
    t.person_with(MARIO, "1980-01-01", json!({"handicap": "art3_c3"}))
        .await;
    let cookie = pair(&login(&t, MARIO, None).await);
    t.clock.advance(std::time::Duration::from_secs(29 * 60));
    assert_eq!(me_status(&t, &cookie).await, 200, "29 idle minutes");
    // The use just now moved the deadline: another 29 minutes are fine.
    t.clock.advance(std::time::Duration::from_secs(29 * 60));
    assert_eq!(me_status(&t, &cookie).await, 200, "used 29 minutes ago");
    t.clock.advance(std::time::Duration::from_secs(31 * 60));
    assert_eq!(me_status(&t, &cookie).await, 401, "31 idle minutes");
}

pub async fn logout_ends_the_session_on_the_server(t: TestApp) {
    t.person_with(MARIO, "1980-01-01", json!({"handicap": "art3_c3"}))
        .await;
    let cookie = pair(&login(&t, MARIO, None).await);
    let page = client()
        .get(t.url("/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = client()
        .post(t.url("/logout"))
        .header("cookie", &cookie)
        .header("origin", &t.base)
        .form(&[("csrf", csrf_of(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cleared = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    // The old cookie, replayed, no longer opens anything.
    assert_eq!(me_status(&t, &cookie).await, 401);
}
