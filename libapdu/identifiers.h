// SPDX-License-Identifier: Apache-2.0
// Card identifiers in their text and wire forms: ICCID (profiles), EID (the eUICC), AID (applications).
#pragma once

#include <string>
#include <string_view>

#include "libapdu/bytes.h"

namespace lpad {

// ICCID (ITU-T E.118; SGP.22 Iccid ::= [APPLICATION 26] OCTET STRING (SIZE(10))): BCD with the two digits of
// each byte swapped (low nibble first), padded with F. 8944476500001224158 <-> 98 44 74 56 00 00 21 42 51 F8.
//
// iccid_from_bcd: exactly 10 bytes; digits, then only F padding. A hex digit A..E, a digit after padding, or no
// digit at all throws MalformedData. Digit count is not checked (card data is shown as it is).
std::string iccid_from_bcd(ByteView bcd);
// iccid_to_bcd: 18..20 decimal digits, else InvalidArgument; the result is always 10 bytes.
Bytes iccid_to_bcd(std::string_view digits);
// Swap the two nibbles of every byte. The SAIP ProfileHeader carries the ICCID in natural digit order
// (89 00 01 23 ...), while EF.ICCID, ES10 and StoreMetadata use the swapped coding (98 00 10 32 ...).
Bytes swap_nibbles(ByteView bytes);
// Luhn check over all digits (the last one is the check digit). Informational: some issuers do not use it.
bool is_valid_iccid_luhn(std::string_view digits);

// EID (SGP.29): 32 decimal digits, stored as 16 bytes of plain BCD, most significant digit first (not swapped).
// eid_to_string: exactly 16 bytes of digits 0..9, else MalformedData.
std::string eid_to_string(ByteView bcd);
// eid_from_string: exactly 32 decimal digits, else InvalidArgument.
Bytes eid_from_string(std::string_view digits);
// SGP.29: the last two digits are check digits chosen so that the 32-digit number mod 97 == 1 (ISO 7064
// MOD 97-10). False also for anything that is not 32 digits.
bool eid_check_digits_ok(std::string_view digits);

// AID (ISO/IEC 7816-5: 5-byte RID + up to 11-byte PIX): 5..16 bytes. aid_from_hex accepts either case; anything
// else throws InvalidArgument.
bool is_valid_aid(ByteView aid);
Bytes aid_from_hex(std::string_view hex);

}  // namespace lpad
