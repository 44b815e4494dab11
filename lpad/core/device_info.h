// DeviceInfo for ctxParams1 (SGP.22 §4.2, rsp.asn DeviceInfo): the TAC and IMEI of the device the eUICC is in, and
// the radio releases it supports, from lpad's configuration.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "libapdu/bytes.h"
#include "libapdu/es10b_auth.h"

namespace lpad::core {

// Releases as "major.minor.revision" text; an empty string leaves the field out.
struct DeviceCapabilitiesConfig {
    std::string gsm = "16.0.0";
    std::string utran = "16.0.0";
    std::string eutran = "16.0.0";
    std::string cdma2000onex;
    std::string cdma2000hrpd;
    std::string cdma2000ehrpd;
    std::string contactless;
    std::string rsp_crl;
    std::string rsp_rpm;
};

struct DeviceConfig {
    // 15-digit IMEI (14 without the check digit, or a 16-digit IMEISV are accepted); empty: no IMEI is sent.
    std::string imei;
    // 8-digit TAC used when no IMEI is configured (the TAC is otherwise the IMEI's first 8 digits). The default is the
    // TAC other LPAs send without a device (lpac).
    std::string tac = "35290611";
    DeviceCapabilitiesConfig capabilities;
};

// 8 TAC digits -> 4 bytes, most significant digit first (3GPP TS 23.003 §6.2: the TAC is a plain 8-digit number).
Bytes tac_bytes(std::string_view tac_digits);
// IMEI digits -> 8 bytes in the 3GPP TS 24.008 §10.5.1.4 digit order (low nibble first, F-padded), as lpac sends
// it: "356938035643809" -> 53 96 83 30 65 34 08 F9.
Bytes imei_bytes(std::string_view imei_digits);

// Throws Error(InvalidArgument) naming the field for a malformed IMEI, TAC or release.
es10::DeviceInfo make_device_info(const DeviceConfig& config);

}  // namespace lpad::core
