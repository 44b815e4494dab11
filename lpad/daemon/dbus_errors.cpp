// SPDX-License-Identifier: Apache-2.0
#include "lpad/daemon/dbus_errors.h"

#include <cstdio>

namespace lpad::daemon {

std::string format_error_message(const Error& e) {
    std::string m = e.what();
    auto add = [&](std::string_view key, const std::string& value) {
        m += " [" + std::string(key) + "=" + value + "]";
    };
    if (e.status_word) {
        char sw[8];
        std::snprintf(sw, sizeof sw, "%04X", static_cast<unsigned>(*e.status_word));
        add("sw", sw);
    }
    if (!e.euicc_function.empty()) add("function", e.euicc_function);
    if (e.euicc_result) add("result", std::to_string(*e.euicc_result));
    if (!e.subject_code.empty()) add("subject", e.subject_code);
    if (!e.reason_code.empty()) add("reason", e.reason_code);
    if (e.http_status) add("http", std::to_string(*e.http_status));
    return m;
}

DbusError to_dbus_error(const std::exception& e) {
    if (const auto* le = dynamic_cast<const Error*>(&e))
        return {std::string(kErrorPrefix) + std::string(errc_name(le->code())), format_error_message(*le)};
    return {std::string(kErrorPrefix) + std::string(errc_name(Errc::Internal)), e.what()};
}

std::map<std::string, std::string> error_details(std::string_view message) {
    std::map<std::string, std::string> out;
    std::size_t pos = 0;
    while ((pos = message.find(" [", pos)) != std::string_view::npos) {
        std::size_t eq = message.find('=', pos);
        std::size_t end = message.find(']', pos);
        if (eq == std::string_view::npos || end == std::string_view::npos || eq > end) {
            pos += 2;
            continue;
        }
        out[std::string(message.substr(pos + 2, eq - pos - 2))] = std::string(message.substr(eq + 1, end - eq - 1));
        pos = end;
    }
    return out;
}

}  // namespace lpad::daemon
