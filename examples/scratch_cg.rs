use orum_webhooks::{Client, RetryPolicy, TestEvent, raw::types::PersonEventType};
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let app = axum::Router::new().fallback(|| async { axum::http::StatusCode::CREATED });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async { axum::serve(listener, app).await.unwrap() })
    });
    let client = Client::builder()
        .base_url(&url)
        .access_token("t")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let event = TestEvent::person(PersonEventType::PersonVerified).seed(1);
    let built = event.build().unwrap();
    let mode = std::env::args().nth(1).unwrap();
    for _ in 0..300 {
        if mode == "raw" {
            client
                .raw()
                .post_invoke()
                .orum_version(orum_webhooks::ORUM_VERSION)
                .body(built.clone())
                .send()
                .await
                .unwrap();
        } else {
            client.invoke(built.clone()).await.unwrap();
        }
    }
}
