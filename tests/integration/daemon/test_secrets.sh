# SPDX-License-Identifier: Apache-2.0
# Secrets stay out of lpad's log at debug and trace level (this runs with LPAD_LOG_LEVEL=trace): after a download
# with a matching ID and a confirmation code, neither appears (as text, hex or base64), nor any private key of the
# test PKI the virtual card and the SM-DP+ use.
MID="SECRETMID-7Q4ZX9K2"
CC="CC93561847X"
admin POST orders '{"matchingId": "'"$MID"'", "profile": "'"$UPP_DIR"'/TS48v5_SAIP2.3_NoBERTLV.der",
                    "iccid": "8949449999999990072", "name": "Secret", "confirmationCode": "'"$CC"'"}' >/dev/null
expect 1 -j download --confirmation-code WRONG-CODE-1 "LPA:1\$$SMDP\$$MID"  # a failure path logs too
expect 0 -j download --confirmation-code "$CC" "LPA:1\$$SMDP\$$MID"
check "downloaded" '.iccid == "8949449999999990072"'
expect 0 -j profile delete 8949449999999990072
stop_lpad  # flush everything
grep -q "lpad\[debug\]" "$tmp/lpad.log" || { echo "FAIL: no debug output to check"; exit 1; }

forms() {  # forms SECRET: the secret as text, as ASCII hex (both cases) and in base64 at each alignment
  local s=$1 hex i
  echo "$s"
  hex=$(printf '%s' "$s" | od -An -tx1 | tr -d ' \n')
  echo "$hex"; echo "${hex^^}"
  for i in 0 1 2; do  # the stable middle of the base64 of the secret shifted by i bytes
    printf '%*s%s' "$i" '' "$s" | base64 -w0 | cut -c$(( (i + 2) / 3 * 4 + 1 ))-$(( ${#s} / 3 * 4 ))
    echo
  done
}
leaks=0
for secret in "$MID" "$CC" WRONG-CODE-1; do
  while read -r f; do
    [[ ${#f} -ge 6 ]] || continue
    if grep -qF -- "$f" "$tmp/lpad.log"; then echo "LEAK of $secret as '$f':"; grep -F -- "$f" "$tmp/lpad.log" | head -3; leaks=1; fi
  done < <(forms "$secret")
done
# Key material: every private key of the test PKI, as its PEM body lines and as the raw scalar in hex.
while read -r key; do
  while read -r line; do
    if [[ ${#line} -ge 20 ]] && grep -qF -- "$line" "$tmp/lpad.log"; then echo "LEAK of $key"; leaks=1; fi
  done < <(grep -v '^-----' "$key")
  scalar=$(openssl pkey -in "$key" -text -noout 2>/dev/null | awk '/^priv:/{p=1;next} /^[a-zA-Z]/{p=0} p' | tr -d ' :\n')
  if [[ -n $scalar ]] && grep -qiF -- "${scalar: -32}" "$tmp/lpad.log"; then echo "LEAK of the scalar of $key"; leaks=1; fi
done < <(find "$PKI" -name 'SK_*.pem')
((leaks == 0)) || { echo "FAIL: secrets in the lpad log"; exit 1; }
echo "checked $(wc -l <"$tmp/lpad.log") log lines"
