// SPDX-License-Identifier: Apache-2.0
// SGP.22 §4.1 Activation Code: what a QR code or a user hands to the LPA to start a download.
//
//   [LPA:]1$<SM-DP+ address>$<AC_Token = Matching ID>[$<SM-DP+ OID>[$<Confirmation Code Required Flag>]]
//
// The "LPA:" prefix is what the QR code carries (matched case-insensitively); typed codes often omit it.
// The SM-DP+ OID may be empty when only the flag follows ("...$MID$$1"); the flag is "1" when present.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lpad {

struct ActivationCode {
    std::string smdp_address;                // lower-cased host[:port]
    std::string matching_id;                 // secret: never logged, never in an error message
    std::optional<std::string> smdp_oid;     // dotted decimal, e.g. "1.3.6.1.4.1.31746"
    bool confirmation_code_required = false;

    // Throws Error(InvalidArgument) naming the offending field (never quoting the matching ID). Rejects: a format
    // other than "1"; fewer than 3 or more than 5 fields; non-printable or non-ASCII characters; an address that is
    // not a DNS name or IPv4 address with an optional port; a matching ID over 255 characters or with characters
    // other than 0-9 A-Z a-z '-' (SGP.22 allows 0-9 A-Z '-'; lower case is accepted as seen from some issuers);
    // a malformed OID; a flag other than "1". Leading/trailing white space of the whole code is ignored.
    static ActivationCode parse(std::string_view text);
    // The SM-DP+ address rule of parse() alone (e.g. for a default SM-DP+ address): lower-cased host[:port].
    // Throws Error(InvalidArgument).
    static std::string parse_address(std::string_view address);

    // "LPA:1$address$matchingId[$oid][$1]", the canonical form parse() reads back to an equal value.
    std::string format() const;

    bool operator==(const ActivationCode&) const = default;
};

}  // namespace lpad
