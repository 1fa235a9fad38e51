# A private Postfix instance for benchmarks, sourced by the bench scripts (bash; root: Postfix's
# master runs as root). It accepts mail from 127.0.0.0/8 on 127.0.0.1:PORT for any recipient in
# outside.example or ring.test, queues it under BASE (the same disk as the other server's store)
# and discards it after queueing: what is measured is smtpd plus cleanup's fsynced queue file.
#   postfix_bench_start BASE PORT    (BASE/pf/... is created afresh)
#   postfix_bench_stop BASE
postfix_bench_start() {
  local base=$1 port=$2
  command -v postfix >/dev/null || { echo "install postfix: apt-get install -y postfix" >&2; return 1; }
  rm -rf "$base/pf"; mkdir -p "$base/pf/etc" "$base/pf/queue" "$base/pf/data"
  cat > "$base/pf/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $base/pf/queue
data_directory = $base/pf/data
mail_owner = postfix
setgid_group = postdrop
myhostname = bench.localhost
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relay_domains = outside.example, ring.test
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = permit_mynetworks, reject
default_transport = discard
relay_transport = discard
local_transport = discard
maillog_file = $base/pf/maillog
default_process_limit = 100
smtpd_client_connection_count_limit = 0
smtpd_client_message_rate_limit = 0
alias_maps =
CF
  sed -e 's/^smtp \( *\)inet\( *\)n\( *\)-\( *\)y/127.0.0.1:'"$port"' inet n - n/' \
      -e 's/^\([a-z]* *unix *[-n] *[-n] *\)y/\1n/' /etc/postfix/master.cf > "$base/pf/etc/master.cf"
  grep -q "^postlog" "$base/pf/etc/master.cf" || echo "postlog unix-dgram n - n - 1 postlogd" >> "$base/pf/etc/master.cf"
  # Postfix accepts a non-default config directory only if the default main.cf lists it.
  postconf -e "alternate_config_directories = $base/pf/etc"
  postfix -c "$base/pf/etc" set-permissions >/dev/null 2>&1 || true
  postfix -c "$base/pf/etc" check
  postfix -c "$base/pf/etc" start
}

postfix_bench_stop() {
  postfix -c "$1/pf/etc" stop >/dev/null 2>&1 || true
  postconf -X alternate_config_directories || true
}
