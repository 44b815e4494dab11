// SPDX-License-Identifier: Apache-2.0
// Profile types shared by several ES10 messages (SGP.22 rsp.asn names): StoreMetadataRequest (ES8+/BPP),
// ProfileInfo (ES10c), the RAT (ES10b GetRAT) and EUICCInfo2.
//
// name() of an INTEGER enumeration returns the rsp.asn name, or unknown_name ("unknown") for values rsp.asn does
// not name (the value itself is kept); describe() gives the text to show a user: the name or "unknown(N)".
// name() of a named bit returns "" for bits without a name.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "libapdu/asn1.h"
#include "libapdu/bytes.h"

namespace lpad::es10 {

inline constexpr std::string_view unknown_name = "unknown";

enum class ProfileClass : int { test = 0, provisioning = 1, operational = 2 };
enum class IconType : int { jpg = 0, png = 1 };
std::string_view name(ProfileClass v);
std::string_view name(IconType v);

// PprIds ::= BIT STRING: pprUpdateControl(0), ppr1(1) (no disable), ppr2(2) (no delete), ppr3(3).
enum class PprId : std::size_t { pprUpdateControl = 0, ppr1 = 1, ppr2 = 2, ppr3 = 3 };
std::string_view name(PprId bit);

// The name of `v`, or "unknown(N)" for a value (or bit) without one.
template <typename E>
    requires std::is_enum_v<E>
std::string describe(E v) {
    std::string_view n = name(v);
    if (n.empty() || n == unknown_name) return "unknown(" + std::to_string(static_cast<std::underlying_type_t<E>>(v)) + ")";
    return std::string(n);
}

// Names of the set bits of `bits`, "bitN" for bits without a name: {"ppr1", "bit7"}.
template <typename Bit>
std::vector<std::string> bit_names(const asn1::BitString& bits) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < bits.size(); ++i) {
        if (!bits.test(i)) continue;
        std::string_view n = name(static_cast<Bit>(i));
        out.push_back(n.empty() || n == unknown_name ? "bit" + std::to_string(i) : std::string(n));
    }
    return out;
}

template <typename Bit>
asn1::BitString make_bits(std::initializer_list<Bit> set) {
    asn1::BitString b;
    for (Bit bit : set) b.set(static_cast<std::size_t>(bit));
    return b;
}

// NotificationConfigurationInformation ::= SEQUENCE { profileManagementOperation [0] NotificationEvent,
// notificationAddress [1] UTF8String }: which events go to which SM-DP+ address.
struct NotificationConfigurationInformation {
    asn1::BitString profile_management_operation;  // NotificationEvent bits
    std::string notification_address;              // FQDN
    bool operator==(const NotificationConfigurationInformation&) const = default;
};

// OperatorID ::= SEQUENCE { mccMnc [0] (SIZE(3)), gid1 [1] OPTIONAL, gid2 [2] OPTIONAL } (3GPP TS 24.008 coding)
struct OperatorId {
    Bytes mcc_mnc;
    std::optional<Bytes> gid1;
    std::optional<Bytes> gid2;
    bool operator==(const OperatorId&) const = default;
};

}  // namespace lpad::es10
