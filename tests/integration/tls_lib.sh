# Helpers for the test_tls_*.sh scripts: a throwaway CA and host
# certificates made with openssl. Source after lib.sh.

# tls_make_ca: a CA in $PG_TMP/tls (ca.crt, ca.key), valid for two days.
tls_make_ca() {
  mkdir -p "$PG_TMP/tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$PG_TMP/tls/ca.key" -out "$PG_TMP/tls/ca.crt" -days 2 \
    -subj "/CN=paglets test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>"$PG_TMP/tls/openssl.log" ||
    pg_fail "openssl could not make a CA: $(cat "$PG_TMP/tls/openssl.log")"
}

# tls_make_cert NAME [CA]: NAME.crt and NAME.key in $PG_TMP/tls for
# 127.0.0.1 and localhost, signed by CA (default ca: the one above).
tls_make_cert() {
  local name=$1 ca=${2:-ca} dir=$PG_TMP/tls
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "/CN=$name" \
    2>"$dir/openssl.log" ||
    pg_fail "openssl could not make a key: $(cat "$dir/openssl.log")"
  printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    "basicConstraints=CA:FALSE" "extendedKeyUsage=serverAuth" >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$ca.crt" \
    -CAkey "$dir/$ca.key" -CAcreateserial -out "$dir/$name.crt" -days 2 \
    -extfile "$dir/$name.ext" 2>"$dir/openssl.log" ||
    pg_fail "openssl could not sign $name: $(cat "$dir/openssl.log")"
  chmod 600 "$dir/$name.key"
}

# tls_opts NAME: the host options serving NAME's certificate.
tls_opts() {
  echo "--tls-cert $PG_TMP/tls/$1.crt --tls-key $PG_TMP/tls/$1.key"
}
