// SPDX-License-Identifier: Apache-2.0
#include "drivers/mbim/mbim_codec.h"

#include <cstdio>

#include "libapdu/apdu.h"

namespace lpad::mbim {

std::optional<unsigned> cla_channel(std::uint8_t cla) {
    if (cla == 0xFF) return std::nullopt;
    if (cla & 0x40) return 4u + (cla & 0x0Fu);
    if ((cla & 0xE0) == 0x20) return std::nullopt;  // '2X', '3X': RFU
    return cla & 0x03u;
}

Bytes command_for_modem(ByteView apdu) {
    apdu::Command c;
    try {
        c = apdu::Command::decode(apdu);
    } catch (const Error& e) {
        fail(Errc::InvalidArgument, std::string("mbim: command APDU does not decode: ") + e.what());
    }
    if (c.data.size() > 255 || (c.le && *c.le > 256))
        fail(Errc::InvalidArgument, "mbim: the modem carries short APDUs only (" + std::to_string(c.data.size()) +
                                        " data bytes)");
    if (!c.data.empty() && !c.le) c.le = 256;  // encodes as Le = 00
    return c.encode();
}

std::optional<std::uint16_t> status_word(std::uint32_t status) {
    if (status > 0xFFFF) return std::nullopt;
    const std::uint8_t sw1 = static_cast<std::uint8_t>(status >> 8);
    if ((sw1 & 0xF0) != 0x60 && (sw1 & 0xF0) != 0x90) return std::nullopt;
    return static_cast<std::uint16_t>(status);
}

Bytes response_apdu(std::uint32_t status, ByteView data) {
    auto sw = status_word(status);
    if (!sw) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "0x%08X", status);
        fail(Errc::MalformedData, std::string("mbim: APDU response status ") + hex + " is not a status word");
    }
    if (data.size() > 256)
        fail(Errc::MalformedData, "mbim: APDU response of " + std::to_string(data.size()) + " bytes (short APDUs: 256)");
    Bytes out(data.begin(), data.end());
    out.push_back(static_cast<std::uint8_t>(*sw >> 8));
    out.push_back(static_cast<std::uint8_t>(*sw & 0xFF));
    return out;
}

std::string imei_from_device_id(std::string_view id) {
    if (id.size() != 15 && id.size() != 16) return {};
    for (char c : id)
        if (c < '0' || c > '9') return {};
    return std::string(id);
}

StatusInfo status_info(std::uint32_t status) {
    switch (status) {
    case 0: return {"None", Errc::Internal};
    case 1: return {"Busy", Errc::Busy};
    case 2: return {"Failure", Errc::TransportError};
    case 3: return {"SimNotInserted", Errc::Unavailable};
    case 4: return {"BadSim", Errc::Unavailable};
    case 5: return {"PinRequired", Errc::Unavailable};
    case 9: return {"NoDeviceSupport", Errc::Unavailable};
    case 14: return {"NotInitialized", Errc::Unavailable};
    case 20: return {"RadioPowerOff", Errc::Unavailable};
    case 21: return {"InvalidParameters", Errc::InvalidArgument};
    case 22: return {"ReadFailure", Errc::TransportError};
    case 23: return {"WriteFailure", Errc::TransportError};
    case 26: return {"ParameterTooLong", Errc::InvalidArgument};
    case 28: return {"OperationNotAllowed", Errc::PermissionDenied};
    case 34: return {"InvalidDeviceServiceOperation", Errc::Unavailable};
    case kStatusMsNoLogicalChannels: return {"MsNoLogicalChannels", Errc::Busy};
    case kStatusMsSelectFailed: return {"MsSelectFailed", Errc::CardError};
    case kStatusMsInvalidLogicalChannel: return {"MsInvalidLogicalChannel", Errc::TransportError};
    default: break;
    }
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08X", status);
    return {hex, Errc::TransportError};
}

Error status_error(std::string_view what, std::uint32_t status) {
    StatusInfo info = status_info(status);
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08X", status);
    std::string message = "mbim: " + std::string(what) + ": modem answered " + info.name;
    if (info.name != hex) message += std::string(" (") + hex + ")";
    return Error(info.errc, message);
}

bool slot_is_mapped(const std::vector<std::uint32_t>& mappings, std::uint32_t slot) {
    if (mappings.empty()) fail(Errc::MalformedData, "mbim: device slot mappings list no executor");
    return mappings.front() == slot;
}

}  // namespace lpad::mbim
