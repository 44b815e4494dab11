// SPDX-License-Identifier: Apache-2.0
// QMI protocol error codes (the error field of a response's result TLV) → lpad errors, once, in one table. The
// message names the request and libqmi's name for the code, e.g. "qmi: UIM Send APDU: QMI error 0x0003 (Internal)".
#pragma once

#include <cstdint>
#include <string>

#include "libapdu/error.h"

namespace lpad::qmi {

// The Errc a QMI protocol error maps to: resources/busy → Busy, no card / device not ready / not provisioned →
// Unavailable, aborted → Cancelled, unsupported → TransportError (the modem cannot do it), anything else →
// TransportError.
Errc errc_for_qmi_error(std::uint16_t code);
// libqmi's name for the code ("Internal", "DeviceNotReady", ...) or "unknown".
std::string qmi_error_name(std::uint16_t code);
Error qmi_error(std::uint16_t code, const std::string& request);

}  // namespace lpad::qmi
