//! Criterion benches of the data path's pieces: RESP parsing and encoding,
//! the hash slot function, keyspace get/set, and the cross-core hop (a
//! request and its answer through glommio's channel mesh, as shards talk).

use bytes::{Bytes, BytesMut};
use clover::resp::parse::Limits;
use clover::resp::{Reply, RequestParser};
use clover::shard::slot::key_slot;
use clover::shard::{Keyspace, Value};
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use std::time::{Duration, Instant};

fn resp(c: &mut Criterion) {
    let mut pipeline = Vec::new();
    for i in 0..16 {
        pipeline.extend_from_slice(
            format!("*3\r\n$3\r\nSET\r\n$10\r\nkey:{i:06}\r\n$16\r\n0123456789abcdef\r\n").as_bytes(),
        );
    }
    let limits = Limits { max_bulk: 512 << 20, unauthenticated: false };
    c.bench_function("resp/parse 16 pipelined SETs", |b| {
        b.iter_batched(
            || BytesMut::from(&pipeline[..]),
            |mut buf| {
                let mut p = RequestParser::default();
                let mut args = Vec::with_capacity(4);
                let mut n = 0;
                while p.parse(&mut buf, &mut args, limits).unwrap() {
                    n += args.len();
                }
                black_box(n)
            },
            BatchSize::SmallInput,
        )
    });
    let reply = Reply::Bulk(Bytes::from_static(b"0123456789abcdef"));
    let array = Reply::Array((0..10).map(|i| Reply::Int(i * 1000)).collect());
    let mut out = BytesMut::with_capacity(4096);
    c.bench_function("resp/encode bulk", |b| {
        b.iter(|| {
            out.clear();
            reply.encode(&mut out, false);
            black_box(out.len())
        })
    });
    c.bench_function("resp/encode 10-int array", |b| {
        b.iter(|| {
            out.clear();
            array.encode(&mut out, true);
            black_box(out.len())
        })
    });
}

fn slots(c: &mut Criterion) {
    c.bench_function("slot/key_slot key:000000012345", |b| b.iter(|| key_slot(black_box(b"key:000000012345"))));
    c.bench_function("slot/key_slot with hash tag", |b| b.iter(|| key_slot(black_box(b"{user1000}.following"))));
}

fn keyspace(c: &mut Criterion) {
    let mut ks = Keyspace::new(16);
    let keys: Vec<Bytes> = (0..100_000).map(|i| Bytes::from(format!("key:{i:012}"))).collect();
    for k in &keys {
        ks.db(0).set(k.clone(), Value::Str(b"value"[..].into()));
    }
    let mut i = 0usize;
    c.bench_function("keyspace/get hit (100k keys)", |b| {
        b.iter(|| {
            i = (i + 7919) % keys.len();
            black_box(ks.db(0).get(&keys[i], 0).is_some())
        })
    });
    c.bench_function("keyspace/set overwrite (100k keys)", |b| {
        b.iter(|| {
            i = (i + 7919) % keys.len();
            black_box(ks.db(0).set(keys[i].clone(), Value::Str(b"other"[..].into())).is_some())
        })
    });
}

/// One request and its answer between two pinned executors through the
/// channel mesh, the way a forwarded batch travels.
fn cross_core_hop(c: &mut Criterion) {
    use glommio::channels::channel_mesh::MeshBuilder;
    use glommio::{LocalExecutorBuilder, Placement};
    let cpus = core_affinity::get_core_ids().unwrap_or_default();
    let place = |i: usize| match cpus.get(i % cpus.len().max(1)) {
        Some(c) => Placement::Fixed(c.id),
        None => Placement::Unbound,
    };
    let mesh = MeshBuilder::<u64, _>::full(2, 1024);
    let echo_mesh = mesh.clone();
    let echo = LocalExecutorBuilder::new(place(1))
        .io_memory(1 << 20)
        .spawn(move || async move {
            let (tx, rx) = echo_mesh.join().await.unwrap();
            let peer = 1 - tx.peer_id();
            while let Ok(Some(v)) = rx.recv_from(peer).await {
                if v == u64::MAX || tx.send_to(peer, v).await.is_err() {
                    break;
                }
            }
        })
        .unwrap();
    let (req_tx, req_rx) = std::sync::mpsc::channel::<u64>();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<Duration>();
    let driver = LocalExecutorBuilder::new(place(0))
        .io_memory(1 << 20)
        .spawn(move || async move {
            let (tx, rx) = mesh.join().await.unwrap();
            let peer = 1 - tx.peer_id();
            while let Ok(iters) = req_rx.recv() {
                if iters == 0 {
                    break;
                }
                let start = Instant::now();
                for i in 0..iters {
                    tx.send_to(peer, i).await.unwrap();
                    black_box(rx.recv_from(peer).await.unwrap());
                }
                done_tx.send(start.elapsed()).unwrap();
            }
            let _ = tx.send_to(peer, u64::MAX).await;
        })
        .unwrap();
    c.bench_function("mesh/cross-core round trip", |b| {
        b.iter_custom(|iters| {
            req_tx.send(iters.max(1)).unwrap();
            done_rx.recv().unwrap()
        })
    });
    req_tx.send(0).unwrap();
    driver.join().unwrap();
    echo.join().unwrap();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = resp, slots, keyspace, cross_core_hop
}
criterion_main!(benches);
