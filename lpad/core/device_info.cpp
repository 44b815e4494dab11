// SPDX-License-Identifier: Apache-2.0
#include "lpad/core/device_info.h"

#include <algorithm>

#include "libapdu/asn1.h"
#include "libapdu/error.h"
#include "libapdu/log.h"

namespace lpad::core {
namespace {

bool all_digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<Bytes> release(const std::string& text, std::string_view field) {
    if (text.empty()) return std::nullopt;
    try {
        return asn1::version_bytes(text);
    } catch (const Error&) {
        fail(Errc::InvalidArgument, "device capability " + std::string(field) + ": not a release \"" + text + "\"");
    }
}

}  // namespace

Bytes tac_bytes(std::string_view tac) {
    if (tac.size() != 8 || !all_digits(tac)) fail(Errc::InvalidArgument, "TAC: 8 decimal digits expected");
    Bytes out;
    for (std::size_t i = 0; i < 8; i += 2)
        out.push_back(static_cast<std::uint8_t>(((tac[i] - '0') << 4) | (tac[i + 1] - '0')));
    return out;
}

std::string imei_problem(std::string_view imei) {
    if (!all_digits(imei)) return "decimal digits expected";
    if (imei.size() == 16) return {};  // IMEISV: no check digit (3GPP TS 23.003 §6.2.2)
    if (imei.size() != 15) return "15 digits (IMEI with its check digit) or 16 (IMEISV) expected, got " +
                                  std::to_string(imei.size());
    unsigned sum = 0;  // Luhn over all 15 digits: every second digit from the left (index 1, 3, ...) doubled
    for (std::size_t i = 0; i < 15; ++i) {
        unsigned d = static_cast<unsigned>(imei[i] - '0');
        if (i % 2 == 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
    }
    if (sum % 10 != 0) return "wrong check digit (3GPP TS 23.003 Annex B)";
    return {};
}

void check_imei(std::string_view imei) {
    if (auto problem = imei_problem(imei); !problem.empty()) fail(Errc::InvalidArgument, "IMEI: " + problem);
}

std::string_view tac_of(std::string_view imei) {
    check_imei(imei);
    return imei.substr(0, 8);
}

Bytes imei_bytes(std::string_view imei) {
    check_imei(imei);
    Bytes out;
    for (std::size_t i = 0; i < imei.size(); i += 2) {
        std::uint8_t low = static_cast<std::uint8_t>(imei[i] - '0');
        std::uint8_t high = i + 1 < imei.size() ? static_cast<std::uint8_t>(imei[i + 1] - '0') : 0x0F;
        out.push_back(static_cast<std::uint8_t>((high << 4) | low));
    }
    return out;  // 8 bytes: 16 digits, or 15 and an F pad in the last byte
}

es10::DeviceInfo make_device_info(const DeviceConfig& config, std::string_view device_imei) {
    es10::DeviceInfo info;
    std::string_view imei = config.imei;
    if (imei.empty() && !device_imei.empty()) {
        if (auto problem = imei_problem(device_imei); problem.empty()) {
            imei = device_imei;
        } else {
            // The modem's word, not the user's: not an error; the configured TAC is sent instead.
            log::debug("core.device", "ignoring the IMEI the transport reported (" + problem + ")");
        }
    }
    if (!imei.empty()) {
        info.imei = imei_bytes(imei);
        info.tac = tac_bytes(tac_of(imei));
    } else {
        info.tac = tac_bytes(config.tac);
    }
    const auto& c = config.capabilities;
    auto& d = info.device_capabilities;
    d.gsm_supported_release = release(c.gsm, "gsm");
    d.utran_supported_release = release(c.utran, "utran");
    d.cdma2000onex_supported_release = release(c.cdma2000onex, "cdma2000onex");
    d.cdma2000hrpd_supported_release = release(c.cdma2000hrpd, "cdma2000hrpd");
    d.cdma2000ehrpd_supported_release = release(c.cdma2000ehrpd, "cdma2000ehrpd");
    d.eutran_supported_release = release(c.eutran, "eutran");
    d.contactless_supported_release = release(c.contactless, "contactless");
    d.rsp_crl_supported_version = release(c.rsp_crl, "rspCrl");
    d.rsp_rpm_supported_version = release(c.rsp_rpm, "rspRpm");
    return info;
}

es10::DeviceInfo make_device_info(const DeviceConfig& config, Transport& transport) {
    if (!config.imei.empty()) return make_device_info(config);
    return make_device_info(config, transport.device_imei());
}

}  // namespace lpad::core
