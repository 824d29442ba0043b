# Shared helpers for the benchmarks: nginx on 127.0.0.1 serving corpus pages.
# Source this file; it defines functions only.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORPUS=${CORPUS:-$BENCH_ROOT/../shared/corpus/pages}
OUT=${OUT:-$BENCH_ROOT/bench/out}

need() {  # need COMMAND DEBIAN-PACKAGE
    command -v "$1" >/dev/null 2>&1 && return 0
    echo "installing $2 for $1" >&2
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$2" >/dev/null
}

build_release() {
    (cd "$BENCH_ROOT" && swift build -c release --product dragnet >&2)
    DRAGNET="$BENCH_ROOT/.build/release/dragnet"
}

# make_site N: N pages under $OUT/www/p/NNNNN.html, cycling through the corpus pages
# (symlinks, so nginx serves the real bytes with sendfile).
make_site() {
    local n=$1
    mkdir -p "$OUT/www/p"
    mapfile -t CORPUS_PAGES < <(find "$CORPUS" -name '*.html' | sort)
    [ "${#CORPUS_PAGES[@]}" -gt 0 ] || { echo "no corpus pages under $CORPUS" >&2; exit 1; }
    local have
    have=$(find "$OUT/www/p" -name '*.html' | wc -l)
    if [ "$have" -lt "$n" ]; then
        for ((i = have; i < n; i++)); do
            ln -sf "${CORPUS_PAGES[$((i % ${#CORPUS_PAGES[@]}))]}" "$OUT/www/p/$(printf %05d "$i").html"
        done
    fi
}

# start_nginx PORT: nginx on 127.0.0.1:PORT serving $OUT/www, stopped on exit.
start_nginx() {
    local port=$1
    need nginx nginx
    mkdir -p "$OUT/nginx/logs" "$OUT/nginx/tmp"
    cat > "$OUT/nginx/nginx.conf" <<CONF
worker_processes 1;
error_log $OUT/nginx/logs/error.log warn;
pid $OUT/nginx/nginx.pid;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path $OUT/nginx/tmp;
    proxy_temp_path $OUT/nginx/tmp;
    fastcgi_temp_path $OUT/nginx/tmp;
    uwsgi_temp_path $OUT/nginx/tmp;
    scgi_temp_path $OUT/nginx/tmp;
    types { text/html html; }
    server {
        listen 127.0.0.1:$port;
        root $OUT/www;
    }
}
CONF
    # A run that was killed may have left its nginx behind.
    [ -f "$OUT/nginx/nginx.pid" ] && kill "$(cat "$OUT/nginx/nginx.pid")" 2>/dev/null && sleep 0.3
    nginx -c "$OUT/nginx/nginx.conf" -p "$OUT/nginx" -g 'daemon on;'
    trap 'kill "$(cat "$OUT/nginx/nginx.pid" 2>/dev/null)" 2>/dev/null' EXIT
    for _ in $(seq 50); do
        curl -s -o /dev/null "http://127.0.0.1:$port/p/00000.html" && return 0
        sleep 0.1
    done
    echo "nginx did not start" >&2; exit 1
}

# url_list N PORT FILE: the URL list, and FILE.curl as a curl config with one output per URL.
url_list() {
    local n=$1 port=$2 file=$3
    : > "$file"; : > "$file.curl"
    for ((i = 0; i < n; i++)); do
        local url="http://127.0.0.1:$port/p/$(printf %05d "$i").html"
        echo "$url" >> "$file"
        printf 'url = "%s"\noutput = "/dev/null"\n' "$url" >> "$file.curl"
    done
}

# timed OUTFILE COMMAND...: runs COMMAND under /usr/bin/time; appends "seconds maxrss_kib" to OUTFILE.
timed() {
    local out=$1; shift
    need /usr/bin/time time
    /usr/bin/time -f '%e %M' -o "$out.last" "$@" > /dev/null
    cat "$out.last" >> "$out"
}

median() {  # median FILE COLUMN
    awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'
}

# start_tls_nginx DIR PORT ROOT ACCESS_LOG BODY: nginx on https://127.0.0.1:PORT with the test-only
# certificate, serving ROOT; BODY is the server block's locations and types (nginx syntax).
# Its files live in DIR (a stale instance there is stopped first); the caller stops it.
start_tls_nginx() {
    local dir=$1 port=$2 root=$3 access=$4 body=$5
    need nginx nginx
    [ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null && sleep 0.3
    mkdir -p "$dir/logs" "$dir/tmp"
    cat > "$dir/nginx.conf" <<CONF
worker_processes 2;
error_log $dir/logs/error.log warn;
pid $dir/nginx.pid;
events { worker_connections 4096; }
http {
    access_log $access;
    client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp; uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $BENCH_ROOT/Tests/Fixtures/tls/cert.pem;
        ssl_certificate_key $BENCH_ROOT/Tests/Fixtures/tls/key.pem;
        root $root;
        $body
    }
}
CONF
    nginx -c "$dir/nginx.conf" -p "$dir" -g 'daemon on;'
    sleep 0.3
}
