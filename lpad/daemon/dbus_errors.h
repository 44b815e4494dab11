// SPDX-License-Identifier: Apache-2.0
// The one mapping from lpad errors to D-Bus errors (CONVENTIONS "Errors"): name
// `org.lpad.Lpad1.Error.<errc_name(code)>`, message = the sentence followed by the codes in a stable form,
// " [sw=6A88]", " [function=EnableProfile] [result=2]", " [subject=8.2.6] [reason=3.8]", " [http=500]".
// lpactl parses the same form back (error_details) to map errors to exit codes and JSON fields.
#pragma once

#include <exception>
#include <map>
#include <string>
#include <string_view>

#include "libapdu/error.h"

namespace lpad::daemon {

inline constexpr std::string_view kErrorPrefix = "org.lpad.Lpad1.Error.";

struct DbusError {
    std::string name;
    std::string message;
};

// Any exception: lpad::Error by its code, std::bad_alloc and the rest as Internal.
DbusError to_dbus_error(const std::exception& e);
std::string format_error_message(const Error& e);

// "[key=value]" fields of a message made by format_error_message.
std::map<std::string, std::string> error_details(std::string_view message);

}  // namespace lpad::daemon
