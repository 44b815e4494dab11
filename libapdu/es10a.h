// SPDX-License-Identifier: Apache-2.0
// ES10a (SGP.22 §5.7.3–§5.7.4): the eUICC's configured SM-DP+ and SM-DS addresses.
// Same message conventions as es10c.h: full DER TLV encode/decode, strict decode, errors naming "<Type>.<field>".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "libapdu/bytes.h"
#include "libapdu/es10_types.h"
#include "libapdu/tlv.h"

namespace lpad::es10 {

struct EuiccConfiguredAddressesResponse {
    static constexpr tlv::Tag tag = 0xBF3C;
    std::optional<std::string> default_dp_address;  // 80, FQDN
    std::string root_ds_address;                    // 81, FQDN
    Bytes encode() const;
    static EuiccConfiguredAddressesResponse decode(ByteView der);
};

// GetEuiccConfiguredAddresses: BF3C with no content.
struct EuiccConfiguredAddressesRequest {
    static constexpr tlv::Tag tag = 0xBF3C;
    using Response = EuiccConfiguredAddressesResponse;
    Bytes encode() const;
    static EuiccConfiguredAddressesRequest decode(ByteView der);
};

enum class SetDefaultDpAddressResult : int { ok = 0, undefinedError = 127 };
std::string_view name(SetDefaultDpAddressResult v);  // unknown_name for values rsp.asn does not name

struct SetDefaultDpAddressResponse {
    static constexpr tlv::Tag tag = 0xBF3F;
    SetDefaultDpAddressResult set_default_dp_address_result = SetDefaultDpAddressResult::ok;  // 80
    Bytes encode() const;
    static SetDefaultDpAddressResponse decode(ByteView der);
    void check() const;  // throws Error::euicc("SetDefaultDpAddress", ...) unless ok
};

struct SetDefaultDpAddressRequest {
    static constexpr tlv::Tag tag = 0xBF3F;
    using Response = SetDefaultDpAddressResponse;
    std::string default_dp_address;  // 80; empty removes the default SM-DP+ address
    Bytes encode() const;
    static SetDefaultDpAddressRequest decode(ByteView der);
};

}  // namespace lpad::es10
