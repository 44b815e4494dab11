// SPDX-License-Identifier: Apache-2.0
#include "drivers/qmi/qmi_errors.h"

#include <libqmi-glib.h>

#include <cstdio>

namespace lpad::qmi {

Errc errc_for_qmi_error(std::uint16_t code) {
    switch (code) {
        case QMI_PROTOCOL_ERROR_NO_MEMORY:
        case QMI_PROTOCOL_ERROR_CLIENT_IDS_EXHAUSTED:
        case QMI_PROTOCOL_ERROR_DEVICE_IN_USE:
        case QMI_PROTOCOL_ERROR_INSUFFICIENT_RESOURCES: return Errc::Busy;
        case QMI_PROTOCOL_ERROR_DEVICE_NOT_READY:
        case QMI_PROTOCOL_ERROR_NOT_PROVISIONED:
        case QMI_PROTOCOL_ERROR_UIM_UNINITIALIZED: return Errc::Unavailable;
        case QMI_PROTOCOL_ERROR_ABORTED: return Errc::Cancelled;
        default: return Errc::TransportError;
    }
}

std::string qmi_error_name(std::uint16_t code) {
    const char* name = qmi_protocol_error_get_string(static_cast<QmiProtocolError>(code));
    return name ? name : "unknown";
}

Error qmi_error(std::uint16_t code, const std::string& request) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "%04X", code);
    return Error(errc_for_qmi_error(code),
                 "qmi: " + request + ": QMI error 0x" + hex + " (" + qmi_error_name(code) + ")");
}

}  // namespace lpad::qmi
