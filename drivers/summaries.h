// SPDX-License-Identifier: Apache-2.0
// The one-line summaries of the drivers the daemon loads as modules: used by the drivers themselves and by the
// daemon's registry, which lists them (lpad --list-drivers) without loading their modules.
#pragma once

namespace lpad::drivers {

inline constexpr const char* kPcscSummary = "eUICC in a PC/SC reader via pcscd (pcsc:reader=NAME|*&index=N&exclusive=1)";
inline constexpr const char* kQmiSummary =
    "eUICC of a Qualcomm modem over QMI UIM via libqmi, shared through qmi-proxy "
    "(qmi:/dev/cdc-wdm0?slot=1&switch=1&proxy=0&timeout=S, qmi:qrtr?node=N)";
inline constexpr const char* kMbimSummary =
    "eUICC in an MBIM modem via libmbim and mbim-proxy (mbim:/dev/cdc-wdm0?slot=N&proxy=1&timeout=S)";

}  // namespace lpad::drivers
