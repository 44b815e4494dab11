#include "lpad/core/device_info.h"

#include <algorithm>

#include "libapdu/asn1.h"
#include "libapdu/error.h"

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

Bytes imei_bytes(std::string_view imei) {
    if (imei.size() < 14 || imei.size() > 16 || !all_digits(imei))
        fail(Errc::InvalidArgument, "IMEI: 14 to 16 decimal digits expected");
    Bytes out;
    for (std::size_t i = 0; i < imei.size(); i += 2) {
        std::uint8_t low = static_cast<std::uint8_t>(imei[i] - '0');
        std::uint8_t high = i + 1 < imei.size() ? static_cast<std::uint8_t>(imei[i + 1] - '0') : 0x0F;
        out.push_back(static_cast<std::uint8_t>((high << 4) | low));
    }
    return out;  // 16 digits fill 8 bytes; fewer are padded with F in the last byte
}

es10::DeviceInfo make_device_info(const DeviceConfig& config) {
    es10::DeviceInfo info;
    if (!config.imei.empty()) {
        info.imei = imei_bytes(config.imei);
        info.tac = tac_bytes(std::string_view(config.imei).substr(0, 8));
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

}  // namespace lpad::core
