# Shared helpers for bench scripts (sourced).

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# start_nginx ROOT_DIR PORT WORKDIR: nginx serving ROOT_DIR with sendfile on, one worker process.
start_nginx() {
  local root=$1 port=$2 work=$3
  mkdir -p "$work/nginx/logs" "$work/nginx/tmp"
  chmod -R a+rX "$root"
  cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes ${NGINX_WORKERS:-1};
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path $work/nginx/tmp;
  proxy_temp_path $work/nginx/tmp;
  fastcgi_temp_path $work/nginx/tmp;
  uwsgi_temp_path $work/nginx/tmp;
  scgi_temp_path $work/nginx/tmp;
  server {
    listen 127.0.0.1:$port;
    root $root;
  }
}
NGINX
  nginx -c "$work/nginx/nginx.conf" -p "$work/nginx"
}

stop_nginx() {
  local work=$1
  [ -f "$work/nginx/nginx.pid" ] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null || true
}

# best_seconds N CMD...: runs CMD N times, prints the fastest wall time in seconds.
best_seconds() {
  local n=$1; shift
  local best=""
  for _ in $(seq "$n"); do
    local t0 t1 dt
    t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N)
    dt=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$dt < $best" | bc -l)" = 1 ]; then best=$dt; fi
  done
  echo "$best"
}
