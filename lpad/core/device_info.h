// SPDX-License-Identifier: Apache-2.0
// DeviceInfo for ctxParams1 (SGP.22 §4.2, rsp.asn DeviceInfo): the TAC and IMEI of the device the eUICC is in, and
// the radio releases it supports, from lpad's configuration.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "libapdu/bytes.h"
#include "libapdu/es10b_auth.h"
#include "libapdu/transport.h"

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
    // IMEI (15 digits, the last its Luhn check digit) or IMEISV (16 digits): check_imei(). Empty: the device's own
    // (Transport::device_imei(), when the link can tell and it passes the same check), else none is sent.
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

// SGP.22 DeviceInfo.imei is Octet8: an IMEI of 15 digits whose last is the check digit (3GPP TS 23.003 §6.2.1,
// Luhn as in Annex B), or a 16-digit IMEISV (TAC, serial number, 2-digit SVN). Empty when `imei` is one, else what
// is wrong with it (for a message). The one rule for lpad.conf, D-Bus options and the modem's own IMEI.
std::string imei_problem(std::string_view imei);
void check_imei(std::string_view imei);  // throws Error(InvalidArgument) "IMEI: <problem>"
// The TAC of a valid IMEI or IMEISV: its first 8 digits (3GPP TS 23.003 §6.2).
std::string_view tac_of(std::string_view imei);

// Throws Error(InvalidArgument) naming the field for a malformed IMEI, TAC or release. `device_imei` (what the
// transport reports, Transport::device_imei()) is used only when `config.imei` is empty, and only when it passes
// check_imei (an invalid one is logged at debug level and ignored: the configured TAC is sent, no IMEI).
es10::DeviceInfo make_device_info(const DeviceConfig& config, std::string_view device_imei = {});
// The same, asking `transport` (open) for the device's IMEI only when `config.imei` is empty.
es10::DeviceInfo make_device_info(const DeviceConfig& config, Transport& transport);

}  // namespace lpad::core
