// SPDX-License-Identifier: Apache-2.0
// The few parts of a SAIP profile package (TCA/SIMalliance eUICC Profile Package, PE_Definitions-3.3.1.asn) the
// test SM-DP+ reads or changes: the ProfileHeader (ProfileElement [0], A0) and MF's EF.ICCID (PE-MF [16], B0).
//
// Coding of the ICCID, as in the GSMA TS.48 packages and pySim: ProfileHeader.iccid holds the digits in natural
// order (BCD, F-padded: 89 00 01 ...), EF.ICCID the ETSI TS 102 221 form with the nibbles of each byte swapped
// (98 00 10 ..., the same as SGP.22's Iccid in StoreMetadataRequest).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "libapdu/bytes.h"

namespace lpad::smdpp {

struct SaipSummary {
    std::string iccid;                        // digits, from the ProfileHeader
    std::optional<std::string> profile_type;  // ProfileHeader.profileType (UTF8String), when present
    std::size_t elements = 0;                 // top-level ProfileElements
};

// Reads the package (BER). Throws Error(MalformedData) unless it is a sequence of ProfileElements that starts with
// a ProfileHeader carrying a 10-byte ICCID and contains an MF element with EF.ICCID content.
SaipSummary read_saip(ByteView package);

// A copy of `package` with `iccid` (18..20 digits; InvalidArgument otherwise) written into ProfileHeader.iccid and
// EF.ICCID. Every length stays the same (both fields are 10 bytes), so the rest of the package is byte-identical.
Bytes personalise_saip(ByteView package, std::string_view iccid);

// ProfileHeader form of an ICCID: natural digit order, padded with F to 10 bytes.
Bytes iccid_header_bcd(std::string_view iccid);

}  // namespace lpad::smdpp
