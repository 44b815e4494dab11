// SPDX-License-Identifier: Apache-2.0
#include "drivers/pcsc/reader_selection.h"

#include <algorithm>
#include <cctype>

#include "libapdu/error.h"

namespace lpad::pcsc {

namespace {

bool contains_ci(const std::string& haystack, const std::string& needle) {
    auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
    return it != haystack.end();
}

std::string quoted_list(const std::vector<std::string>& readers) {
    std::string out;
    for (const auto& r : readers) out += (out.empty() ? "'" : ", '") + r + "'";
    return out;
}

}  // namespace

ReaderSelector ReaderSelector::from_uri(const drivers::DriverUri& uri) {
    ReaderSelector s;
    if (uri.has("reader") && uri.has("index"))
        fail(Errc::InvalidArgument, "driver pcsc: give reader= or index=, not both");
    if (uri.has("reader")) {
        s.name_contains = uri.get("reader");
        if (s.name_contains.empty()) fail(Errc::InvalidArgument, "driver pcsc: reader= is empty");
        if (s.name_contains == "*") {
            s.name_contains.clear();
            s.all = true;
        }
    }
    if (uri.has("index")) s.index = static_cast<std::size_t>(uri.get_int("index", 0, 0, 255));
    return s;
}

std::vector<std::size_t> ReaderSelector::candidates(const std::vector<std::string>& readers) const {
    if (readers.empty())
        fail(Errc::Unavailable, "pcsc: no readers available: is pcscd running and the reader plugged in?");
    std::vector<std::size_t> out;
    if (index) {
        if (*index >= readers.size())
            fail(Errc::Unavailable, "pcsc: no reader with index " + std::to_string(*index) + " (there are " +
                                        std::to_string(readers.size()) + ": " + quoted_list(readers) + ")");
        out.push_back(*index);
        return out;
    }
    // An exact name picks that reader alone ("Reader 1" next to "Reader 10"); the daemon's expansion relies on it.
    for (std::size_t i = 0; i < readers.size(); ++i)
        if (!name_contains.empty() && readers[i] == name_contains) return {i};
    for (std::size_t i = 0; i < readers.size(); ++i)
        if (name_contains.empty() || contains_ci(readers[i], name_contains)) out.push_back(i);
    if (out.empty())
        fail(Errc::Unavailable, "pcsc: no reader name contains '" + name_contains + "' (readers: " +
                                    quoted_list(readers) + ")");
    return out;
}

bool ReaderSelector::needs_probe(std::size_t candidate_count) const {
    if (index) return false;
    return name_contains.empty() || candidate_count > 1;
}

std::string ReaderSelector::describe() const {
    if (index) return "reader index " + std::to_string(*index);
    if (!name_contains.empty()) return "reader matching '" + name_contains + "'";
    return all ? "every reader" : "any reader";
}

}  // namespace lpad::pcsc
