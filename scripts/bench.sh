#!/usr/bin/env bash
# Runs every benchmark of BENCHMARKS.md on this machine and prints its table.
# Usage: scripts/bench.sh            (about 12 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB; $(rustc --version); $(openssl version)" >&2

# 1: the ways interleaved in one loop (see benches/client.rs), one JSON line per way.
cargo bench --all-features --bench client | grep '^{' > "$out/client.jsonl"
# 2-3: criterion (medians), comparisons measured in the same run.
cargo bench --all-features --bench body --bench verify -- --warm-up-time 2 --measurement-time 5 >&2
# 3: openssl's own verify rate, single core, same machine, same run.
openssl speed -seconds 3 rsa2048 2>/dev/null > "$out/openssl.txt"
# 1, in instructions (repeatable): callgrind over 300 calls made each way.
cargo build --release --quiet --example invoke_instructions
for way in none bare raw client; do
  valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/invoke_instructions "$way" 2>&1 \
    | awk -v way="$way" '/Collected/ {print way, $4}'
done > "$out/instructions.txt"
# 4-5: whole-process figures.
cargo run --release --quiet --features sandbox --example load > "$out/load.md"

# 6: build cost, in a clean copy with its own target directory.
copy="$out/copy"
mkdir -p "$copy" && git archive HEAD | tar -x -C "$copy"
start=$(date +%s%N)
(cd "$copy" && CARGO_TARGET_DIR="$copy/target" cargo build --quiet)
clean=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# a comment, to change the spec" >> "$copy/openapi/orum.yaml"
start=$(date +%s%N)
(cd "$copy" && CARGO_TARGET_DIR="$copy/target" cargo build --quiet)
rebuild=$(( ($(date +%s%N) - start) / 1000000 ))

python3 - "$out" "$clean" "$rebuild" <<'PY'
import glob, json, os, re, sys
out, clean, rebuild = sys.argv[1], int(sys.argv[2]) / 1000, int(sys.argv[3]) / 1000
median = {}
for path in glob.glob("target/criterion/**/new/benchmark.json", recursive=True):
    bench = json.load(open(path))
    est = json.load(open(os.path.join(os.path.dirname(path), "estimates.json")))
    median[(bench["group_id"], bench["function_id"])] = est["median"]["point_estimate"]
def us(ns): return f"{ns / 1000:.1f} us"
print("| figure | ours | comparison | ratio | target | command |")
print("| --- | --- | --- | --- | --- | --- |")
client = {row["way"]: row for row in map(json.loads, open(f"{out}/client.jsonl"))}
bare = client.pop("bare reqwest POST (same bytes and headers)")["median_ns"]
for name, row in client.items():
    ours, target = row["median_ns"], "" if name.startswith("bare") else "<= 1.05"
    print(f"| invoke median of {row['calls']:,} calls, interleaved: {name} | {us(ours)} | bare reqwest POST {us(bare)} | {ours / bare:.2f} | {target} | cargo bench --bench client |")
for group in sorted({g for g, _ in median if g.startswith("body/")}):
    ours = median[(group, "TestEvent::to_json (defaults, check, serialize)")]
    base = median[(group, "serde_json::to_string of the generated struct")]
    print(f"| build + serialize default {group[5:]} event | {us(ours)} | serialize generated struct {us(base)} | {ours / base:.2f} | <= 1.2 | cargo bench --bench body |")
line = [l for l in open(f"{out}/openssl.txt") if l.startswith("rsa 2048 bits")][0].split()
openssl_verify = float(line[-1])
counts = dict(line.split() for line in open(f"{out}/instructions.txt"))
per_call = {way: (int(counts[way]) - int(counts["none"])) / 300 for way in ("bare", "raw", "client")}
for way, label in (("raw", "generated client call"), ("client", "Client::invoke, body built beforehand")):
    print(f"| invoke instructions per call: {label} | {per_call[way]:,.0f} | bare reqwest POST {per_call['bare']:,.0f} | {per_call[way] / per_call['bare']:.2f} | <= 1.05 | valgrind --tool=callgrind target/release/examples/invoke_instructions {way} |")
for (group, name), ns in sorted(median.items()):
    if group == "verify":
        ours = 1e9 / ns
        print(f"| RSA-2048 verifies/s, one core: {name} | {ours:,.0f} | openssl speed rsa2048 verify/s {openssl_verify:,.0f} | {ours / openssl_verify:.2f} | >= 0.8 | cargo bench --bench verify; openssl speed -seconds 3 rsa2048 |")
for row in open(f"{out}/load.md"):
    m = re.match(r"\| (.*) \| (.*) \|$", row.strip())
    if m and m.group(1) not in ("figure", "---"):
        print(f"| {m.group(1)} | {m.group(2)} | | | | cargo run --release --features sandbox --example load |")
print(f"| clean debug build, default features | {clean:.0f} s | | | | scripts/bench.sh (cargo build in a clean copy) |")
print(f"| rebuild after editing only openapi/orum.yaml | {rebuild:.1f} s | | | | scripts/bench.sh |")
PY
