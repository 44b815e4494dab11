#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Checks lpad-test-pki's output with the independent openssl CLI (ctest runs it; see CMakeLists.txt here).
#   check_pki.sh TOOL verify nist|brp   chains, role profiles and every negative case, default parameters
#   check_pki.sh TOOL custom            --curve both with a custom EID, host and SM-DP+ OID
#   check_pki.sh TOOL idempotence       kept when unchanged, regenerated on --force/changed parameters/missing file
#   check_pki.sh TOOL arguments         malformed arguments exit 2 and write nothing
# Optional env LPAD_SGP26_DIR: the GSMA SGP.26 certificates to compare extension profiles against.
set -euo pipefail
# Only the CIs named on each command line are trusted: no system CA store (which also makes each openssl start
# ~10x faster, since openssl x509 loads the default store).
export SSL_CERT_FILE=/dev/null SSL_CERT_DIR=/nonexistent

tool=$1
mode=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
checks=0

pass() { checks=$((checks + 1)); }
bad() { echo "FAIL: $*" >&2; failures=$((failures + 1)); checks=$((checks + 1)); }
# expect_ok DESC CMD...: CMD must exit 0.
expect_ok() {
  local desc=$1; shift
  if "$@" >"$work/out" 2>&1; then pass; else bad "$desc"; sed 's/^/    /' "$work/out" >&2; fi
}
# expect_verify_error DESC ERRNO DEPTH openssl-verify-args...: verification fails, and the only error reported
# is ERRNO at DEPTH (so every other check on the chain, signatures included, passed).
expect_verify_error() {
  local desc=$1 errno=$2 depth=$3; shift 3
  if openssl verify "$@" >"$work/out" 2>&1; then
    bad "$desc: verification unexpectedly succeeded"; return
  fi
  local errors
  errors=$(grep -E '^error [0-9]+ at [0-9]+ depth' "$work/out" || true)
  if [[ "$errors" == "error $errno at $depth depth lookup:"* && $(wc -l <<<"$errors") -eq 1 ]]; then
    pass
  else
    bad "$desc: expected only error $errno at depth $depth"; sed 's/^/    /' "$work/out" >&2
  fi
}
# The certificate's text dump, made once per file.
text() {
  local cache
  cache="$work/text/$(tr '/' '_' <<<"$1")"
  if [[ ! -f "$cache" ]]; then
    mkdir -p "$work/text"
    openssl x509 -in "$1" -noout -text -serial -pubkey -subject >"$cache"
  fi
  cat "$cache"
}
pubkey() { text "$1" | sed -n '/BEGIN PUBLIC KEY/,/END PUBLIC KEY/p'; }
ski() { text "$1" | grep -A1 'X509v3 Subject Key Identifier' | tail -1 | tr -d ' :' | tr 'A-F' 'a-f'; }
not_after() { date -d "$(text "$1" | sed -n 's/^ *Not After *: *//p')" +%s; }
# contains DESC FILE REGEX: the certificate's text dump matches REGEX.
contains() {
  if text "$2" | grep -Eq -- "$3"; then pass; else bad "$1: /$3/ not in $2"; fi
}
lacks() {
  if text "$2" | grep -Eq -- "$3"; then bad "$1: /$3/ unexpectedly in $2"; else pass; fi
}
# The extension names with their criticality, in a stable order: the certificate's profile.
profile() {
  text "$1" | grep -E '^ +X509v3 [A-Za-z ]+:( critical)? *$' | sed -e 's/^ *//' -e 's/ *$//' | sort
}
# Verifies the certificate's signature with the issuer's public key directly (openssl dgst over the DER
# tbsCertificate), without any path processing.
signature_ok() {
  local cert=$1 issuer=$2 der="$work/sig_cert.der"
  rm -f "$der" "$work/tbs.der" "$work/sig.der" "$work/issuer_pub.pem"
  openssl x509 -in "$cert" -outform DER -out "$der"
  local tbs_line sig_off
  tbs_line=$(openssl asn1parse -inform DER -in "$der" | sed -n 2p)
  local off hl len
  off=$(sed -E 's/^ *([0-9]+):.*/\1/' <<<"$tbs_line")
  hl=$(sed -E 's/.*hl= *([0-9]+).*/\1/' <<<"$tbs_line")
  len=$(sed -E 's/.* l= *([0-9]+).*/\1/' <<<"$tbs_line")
  tail -c +$((off + 1)) "$der" | head -c $((hl + len)) >"$work/tbs.der"
  sig_off=$(openssl asn1parse -inform DER -in "$der" | grep 'd=1' | grep 'BIT STRING' | tail -1 |
            sed -E 's/^ *([0-9]+):.*/\1/')
  openssl asn1parse -inform DER -in "$der" -strparse "$sig_off" -noout -out "$work/sig.der"
  pubkey "$issuer" >"$work/issuer_pub.pem"
  openssl dgst -sha256 -verify "$work/issuer_pub.pem" -signature "$work/sig.der" "$work/tbs.der" >/dev/null
}
# SGP.22 §4.5.2.1.0.3 name constraint: the eUICC subject has the EUM's permitted O, and its serialNumber (the EID)
# starts with the permitted serialNumber (EID prefix). RFC 5280 directoryName matching can't express this.
sgp22_name_constraint_ok() {
  local eum=$1 euicc=$2 dirname subject
  dirname=$(openssl x509 -in "$eum" -noout -ext nameConstraints -nameopt RFC2253 | sed -n 's/^ *DirName: *//p')
  subject=$(text "$euicc" | grep '^subject=')
  local nc_o nc_sn o sn
  nc_o=$(grep -oE '(^|, )O = [^,]+' <<<"$dirname" | sed 's/.*O = //')
  nc_sn=$(grep -oE 'serialNumber = [0-9]+' <<<"$dirname" | sed 's/.*= //')
  o=$(grep -oE '(=|, )O = [^,]+' <<<"$subject" | sed 's/.*O = //')
  sn=$(grep -oE 'serialNumber = [0-9]+' <<<"$subject" | sed 's/.*= //')
  [[ -n "$nc_o" && -n "$nc_sn" && -n "$sn" && "$o" == "$nc_o" && "$sn" == "$nc_sn"* ]]
}

# check_curve DIR SUFFIX EID HOST SMDP_OID: every check for one curve of a generated PKI.
check_curve() {
  local d=$1 c=$2 eid=$3 host=$4 oid=$5
  local ci=$d/CertificateIssuer/CERT_CI_ECDSA_$c.pem
  local eum=$d/EUM/CERT_EUM_ECDSA_$c.pem euicc=$d/eUICC/CERT_EUICC_ECDSA_$c.pem
  local dpauth=$d/DPauth/CERT_S_SM_DPauth_ECDSA_$c.pem dppb=$d/DPpb/CERT_S_SM_DPpb_ECDSA_$c.pem
  local dptls=$d/DPtls/CERT_S_SM_DP_TLS_$c.pem dsauth=$d/DSauth/CERT_S_SM_DSauth_ECDSA_$c.pem
  local dstls=$d/DStls/CERT_S_SM_DS_TLS_$c.pem
  local role=2.23.146.1.2.1

  # Keys: each SK matches its certificate and its PK file; DER and PEM hold the same certificate.
  local cert
  for cert in "$ci" "$eum" "$euicc" "$dpauth" "$dppb" "$dptls" "$dsauth" "$dstls"; do
    local base=${cert%.pem} dir=${cert%/*} name=${cert##*/CERT_}
    name=${name%.pem}
    if [[ "$(openssl pkey -in "$dir/SK_$name.pem" -pubout)" == "$(pubkey "$cert")" &&
          "$(cat "$dir/PK_$name.pem")" == "$(pubkey "$cert")" ]]; then
      pass; else bad "$name: SK/PK do not match the certificate"; fi
    if openssl x509 -in "$cert" -outform DER | cmp -s - "$base.der"; then pass; else bad "$name: .der and .pem differ"; fi
    contains "$name algorithm" "$cert" 'Signature Algorithm: ecdsa-with-SHA256'
    if text "$cert" | grep -Eq '^serial=[4-7][0-9A-F]{31}$'; then pass
    else bad "$name: serial is not a positive 16-byte random number"; fi
  done
  if [[ $c == BRP ]]; then contains "BRP curve" "$dptls" 'ASN1 OID: brainpoolP256r1'
  else contains "NIST curve" "$dptls" 'ASN1 OID: prime256v1'; fi

  # CI: self-signed, the trust anchor, SKI = SHA-1 of the public key bit string (RFC 5280 method 1).
  expect_ok "CI self-verifies" openssl verify -CAfile "$ci" "$ci"
  contains "CI role" "$ci" "Policy: $role.0$"
  local ski_text ski_calc
  ski_text=$(ski "$ci")
  ski_calc=$(pubkey "$ci" | openssl pkey -pubin -outform DER |
             tail -c 65 | openssl dgst -sha1 -r | cut -d' ' -f1)
  if [[ "$ski_text" == "$ski_calc" ]]; then pass; else bad "CI SKI $ski_text != SHA-1(key) $ski_calc"; fi
  if grep -q "\"$c\": \"$ski_calc\"" "$d/pki.json"; then pass; else bad "pki.json lacks CI SKI $ski_calc"; fi
  expect_ok "trust bundle anchors DPauth" openssl verify -CAfile "$d/trust/test-ci.pem" "$dpauth"
  expect_ok "trust bundle anchors DPtls" openssl verify -CAfile "$d/trust/test-ci.pem" -purpose sslserver "$dptls"

  # EUM: verifies under the CI with its role policy; pathLen 0 CA with the SGP.22 name constraint.
  expect_ok "EUM chains to CI (policy .2)" openssl verify -CAfile "$ci" -policy $role.2 -explicit_policy "$eum"
  contains "EUM CA pathlen 0" "$eum" 'CA:TRUE, pathlen:0'
  contains "EUM nameConstraints critical" "$eum" 'X509v3 Name Constraints: critical'
  contains "EUM permitted EID prefix" "$eum" "DirName: ?O = [^,]+, serialNumber = ${eid:0:8}$"
  # eUICC: RFC 5280 processing (openssl) checks every signature, validity and CA constraint, then rejects the
  # SGP.22 prefix-style serialNumber constraint; that must be the only complaint.
  expect_verify_error "eUICC chain (RFC 5280 name constraints)" 47 0 -CAfile "$ci" -untrusted "$eum" "$euicc"
  if signature_ok "$euicc" "$eum"; then pass; else bad "eUICC signature does not verify with the EUM key"; fi
  if sgp22_name_constraint_ok "$eum" "$euicc"; then pass; else bad "eUICC outside the EUM's SGP.22 name constraint"; fi
  contains "EID in eUICC subject" "$euicc" "Subject: .*serialNumber = $eid(,|$)"
  contains "eUICC role" "$euicc" "Policy: $role.1$"
  contains "eUICC keyUsage" "$euicc" '^ +Digital Signature$'

  # SM-DP+ and SM-DS certificates directly under the CI (SGP.22 v2), each with its role policy.
  expect_ok "DPauth (policy .4)" openssl verify -CAfile "$ci" -policy $role.4 -explicit_policy "$dpauth"
  expect_ok "DPpb (policy .5)" openssl verify -CAfile "$ci" -policy $role.5 -explicit_policy "$dppb"
  expect_ok "DPtls (policy .3, sslserver, host)" openssl verify -CAfile "$ci" -policy $role.3 -explicit_policy \
    -purpose sslserver -verify_hostname "$host" "$dptls"
  expect_ok "DSauth (policy .7)" openssl verify -CAfile "$ci" -policy $role.7 -explicit_policy "$dsauth"
  expect_ok "DStls (policy .6, sslserver)" openssl verify -CAfile "$ci" -policy $role.6 -explicit_policy \
    -purpose sslserver -verify_hostname "$host" "$dstls"
  expect_ok "DPtls host testsmdpplus1.example.com" openssl verify -CAfile "$ci" -purpose sslserver \
    -verify_hostname testsmdpplus1.example.com "$dptls"
  local ip
  for ip in 127.0.0.1 ::1; do
    expect_ok "DPtls IP $ip" openssl verify -CAfile "$ci" -purpose sslserver -verify_ip $ip "$dptls"
    expect_ok "DStls IP $ip" openssl verify -CAfile "$ci" -purpose sslserver -verify_ip $ip "$dstls"
  done
  expect_ok "CRL of the CI" openssl verify -CAfile "$ci" -crl_check \
    -CRLfile "$d/CertificateIssuer/CRL_CI_ECDSA_$c.crl" "$dpauth"
  for cert in "$dpauth" "$dppb" "$dptls"; do
    contains "SM-DP+ OID in ${cert##*/}" "$cert" "Registered ID:$oid(,|$)"
  done
  contains "DPauth keyUsage critical" "$dpauth" 'X509v3 Key Usage: critical'
  contains "DPtls EKU serverAuth" "$dptls" 'TLS Web Server Authentication'
  contains "DPtls SAN" "$dptls" "DNS:$host, DNS:testsmdpplus1.example.com, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"
  # A policy that is not the certificate's role must not validate (the policy check can fail).
  expect_verify_error "DPpb is not a DPauth" 43 0 -CAfile "$ci" -policy $role.4 -explicit_policy "$dppb"

  # Negative material: each fails for exactly its own reason, and is otherwise a good certificate.
  local b=$d/bad other=$d/bad/OtherCI/CertificateIssuer/CERT_CI_ECDSA_$c.pem
  for cert in "$b/OtherCI/DPauth/CERT_S_SM_DPauth_ECDSA_$c.pem" "$b/OtherCI/DPpb/CERT_S_SM_DPpb_ECDSA_$c.pem" \
              "$b/OtherCI/DPtls/CERT_S_SM_DP_TLS_$c.pem"; do
    expect_verify_error "${cert#"$b"/} under the test CI" 20 0 -CAfile "$ci" "$cert"
    expect_ok "${cert#"$b"/} under its own CI" openssl verify -CAfile "$other" "$cert"
  done
  if [[ -n "$(ski "$other")" && "$(ski "$other")" != "$(ski "$ci")" ]]; then pass; else bad "other CI has the CI's SKI"; fi
  local expired=$b/DPtls_expired/DPtls/CERT_S_SM_DP_TLS_$c.pem
  expect_verify_error "expired DPtls" 10 0 -CAfile "$ci" -purpose sslserver "$expired"
  expect_ok "expired DPtls was valid a few days ago" openssl verify -CAfile "$ci" -attime $(( $(date +%s) - 3 * 86400 )) \
    -purpose sslserver "$expired"
  local end_s
  end_s=$(not_after "$expired")
  if (( end_s < $(date +%s) && end_s > $(date +%s) - 2 * 86400 )); then pass; else bad "expired DPtls did not end yesterday"; fi
  local wrong=$b/DPtls_wrong_host/DPtls/CERT_S_SM_DP_TLS_$c.pem
  expect_verify_error "wrong-host DPtls for $host" 62 0 -CAfile "$ci" -purpose sslserver -verify_hostname "$host" "$wrong"
  expect_verify_error "wrong-host DPtls for 127.0.0.1" 64 0 -CAfile "$ci" -purpose sslserver -verify_ip 127.0.0.1 "$wrong"
  expect_ok "wrong-host DPtls for its own name" openssl verify -CAfile "$ci" -purpose sslserver \
    -verify_hostname wrong.example.com "$wrong"
  lacks "wrong-host DPtls has no IP SAN" "$wrong" 'IP Address'
  local role_bad=$b/DPauth_wrong_role/DPauth/CERT_S_SM_DPauth_ECDSA_$c.pem
  expect_verify_error "DPauth with the DPpb role" 43 0 -CAfile "$ci" -policy $role.4 -explicit_policy "$role_bad"
  expect_ok "DPauth with the DPpb role is signed by the CI" openssl verify -CAfile "$ci" "$role_bad"
  local oid_bad=$b/DPauth_wrong_oid/DPauth/CERT_S_SM_DPauth_ECDSA_$c.pem
  expect_ok "DPauth with another OID chains" openssl verify -CAfile "$ci" -policy $role.4 -explicit_policy "$oid_bad"
  lacks "DPauth with another OID" "$oid_bad" "Registered ID:$oid(,|$)"
  contains "DPauth with another OID has one" "$oid_bad" 'Registered ID:[0-9.]+'
  local eid_bad=$b/eUICC_wrong_eid/eUICC/CERT_EUICC_ECDSA_$c.pem
  if signature_ok "$eid_bad" "$eum"; then pass; else bad "wrong-EID eUICC is not signed by the EUM"; fi
  if sgp22_name_constraint_ok "$eum" "$eid_bad"; then bad "wrong-EID eUICC passes the SGP.22 name constraint"
  else pass; fi
  if signature_ok "$euicc" "$other"; then bad "signature check accepts a foreign key"; else pass; fi

  # Profiles: the same extensions with the same criticality as the GSMA SGP.26 certificates.
  if [[ -n "${LPAD_SGP26_DIR:-}" && -d "${LPAD_SGP26_DIR}" ]]; then
    local pair ours theirs
    for pair in "CertificateIssuer/CERT_CI_ECDSA_$c" "DPauth/CERT_S_SM_DPauth_ECDSA_$c" \
                "DPpb/CERT_S_SM_DPpb_ECDSA_$c" "DPtls/CERT_S_SM_DP_TLS_$c"; do
      ours=$d/$pair.der theirs=$LPAD_SGP26_DIR/$pair.der
      if [[ "$(profile "$ours")" == "$(profile "$theirs")" ]]; then pass
      else bad "$pair profile differs from SGP.26"; diff <(profile "$theirs") <(profile "$ours") >&2 || true; fi
    done
  fi
}

run_tool() { "$tool" "$@" >"$work/tool.out" 2>&1 || { cat "$work/tool.out" >&2; return 1; }; }

case $mode in
  verify)
    curve=$3
    run_tool --out "$work/pki" --curve "$curve"
    suffix=${curve^^}
    check_curve "$work/pki" "$suffix" 89049032123451234512345678901235 localhost 2.999.10
    if [[ $(grep -c 'BEGIN CERTIFICATE' "$work/pki/trust/test-ci.pem") -eq 1 ]]; then pass; else bad "trust bundle size"; fi
    ;;
  custom)
    eid=89086001234567890123456789012345
    # give the EID valid check digits: 98 - (first 30 digits * 100 mod 97)
    body=${eid:0:30}
    rem=0
    for ((i = 0; i < 32; i++)); do
      digit=$([[ $i -lt 30 ]] && echo "${body:i:1}" || echo 0)
      rem=$(( (rem * 10 + digit) % 97 ))
    done
    eid=$body$(printf '%02d' $((98 - rem)))
    run_tool --out "$work/pki" --curve both --eid "$eid" --host smdp.lpad.test --smdp-oid 2.999.77 --days 30
    check_curve "$work/pki" NIST "$eid" smdp.lpad.test 2.999.77
    check_curve "$work/pki" BRP "$eid" smdp.lpad.test 2.999.77
    if [[ $(grep -c 'BEGIN CERTIFICATE' "$work/pki/trust/test-ci.pem") -eq 2 ]]; then pass; else bad "trust bundle size"; fi
    for field in "\"eid\": \"$eid\"" '"host": "smdp.lpad.test"' '"smdp_oid": "2.999.77"'; do
      if grep -qF "$field" "$work/pki/pki.json"; then pass; else bad "pki.json lacks $field"; fi
    done
    end=$(not_after "$work/pki/DPtls/CERT_S_SM_DP_TLS_NIST.pem")
    if (( end > $(date +%s) + 29 * 86400 && end < $(date +%s) + 31 * 86400 )); then pass; else bad "--days 30 not applied"; fi
    ;;
  idempotence)
    pki=$work/pki
    fingerprint() { find "$pki" -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum; }
    run_tool --out "$pki"
    first=$(fingerprint)
    run_tool --out "$pki"
    if grep -q keeping "$work/tool.out" && [[ "$(fingerprint)" == "$first" ]]; then pass; else bad "rerun changed the PKI"; fi
    run_tool --out "$pki" --force
    second=$(fingerprint)
    if [[ "$second" != "$first" ]]; then pass; else bad "--force kept the PKI"; fi
    run_tool --out "$pki" --host other.lpad.test
    if [[ "$(fingerprint)" != "$second" ]] && grep -q 'other.lpad.test' "$pki/pki.json"; then pass
    else bad "changed --host kept the old PKI"; fi
    rm "$pki/DPpb/CERT_S_SM_DPpb_ECDSA_NIST.der"
    run_tool --out "$pki" --host other.lpad.test
    if [[ -f "$pki/DPpb/CERT_S_SM_DPpb_ECDSA_NIST.der" ]]; then pass; else bad "incomplete PKI not regenerated"; fi
    check_curve "$pki" NIST 89049032123451234512345678901235 other.lpad.test 2.999.10
    leftovers=$(find "$work" -maxdepth 1 -name '.*.tmp-*' | wc -l)
    if [[ $leftovers -eq 0 ]]; then pass; else bad "staging directory left behind"; fi
    mkdir "$work/foreign" && echo keep >"$work/foreign/notes.txt"
    if "$tool" --out "$work/foreign" >/dev/null 2>&1; then bad "wrote into a foreign directory"
    elif [[ "$(cat "$work/foreign/notes.txt")" == keep && ! -e "$work/foreign/pki.json" ]]; then pass
    else bad "foreign directory modified"; fi
    ;;
  arguments)
    # Word splitting of $args is intended: each entry is one argument list.
    for args in "--eid 89049032123451234512345678901234" "--eid 8904903212345123451234567890123" \
                "--curve p384" "--days abc" "--days 1" "--smdp-oid not.an.oid" "--host" "--bogus"; do
      rc=0
      # shellcheck disable=SC2086
      "$tool" --out "$work/pki" $args >"$work/out" 2>&1 || rc=$?
      if [[ $rc -eq 2 && ! -e "$work/pki" ]]; then pass; else bad "'$args' gave rc=$rc"; cat "$work/out" >&2; fi
    done
    rc=0
    "$tool" >/dev/null 2>&1 || rc=$?
    if [[ $rc -eq 2 ]]; then pass; else bad "missing --out gave rc=$rc"; fi
    ;;
  *)
    echo "unknown mode $mode" >&2; exit 2 ;;
esac

echo "pki $mode: $((checks - failures)) passed, $failures failed"
[[ $failures -eq 0 ]]
