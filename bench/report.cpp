// SPDX-License-Identifier: Apache-2.0
#include "bench/report.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

namespace lpad::bench {

namespace {

std::string fmt(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

double pct_above(std::size_t actual, std::size_t floor) {
    return floor == 0 ? 0.0 : 100.0 * (static_cast<double>(actual) - static_cast<double>(floor)) / floor;
}

// ES10 functions grouped by tag, in order of first appearance.
struct TagGroup {
    tlv::Tag tag = 0;
    std::size_t count = 0, request_bytes = 0, response_bytes = 0, store_data = 0, get_response = 0, floor = 0;
};

std::vector<TagGroup> group(const std::vector<Es10Exchange>& es10, std::size_t block) {
    std::vector<TagGroup> out;
    for (const auto& e : es10) {
        auto it = std::find_if(out.begin(), out.end(), [&](const TagGroup& g) { return g.tag == e.tag; });
        if (it == out.end()) it = out.insert(out.end(), TagGroup{e.tag});
        ++it->count;
        it->request_bytes += e.request_bytes;
        it->response_bytes += e.response_bytes;
        it->store_data += e.store_data_apdus;
        it->get_response += e.get_response_apdus;
        it->floor += floor_of({e}, 0, block).total();
    }
    return out;
}

}  // namespace

PhaseSummary summarize(const PhaseFigures& p, std::size_t block) {
    PhaseSummary s;
    s.apdus = p.card.apdus;
    s.floor = floor_of(p.es10, p.tally.channels_opened, block);
    s.above_floor_pct = pct_above(s.apdus, s.floor.total());
    std::vector<Es10Exchange> bpp;
    for (const auto& e : p.es10)
        if (is_bpp_piece(e.tag)) {
            bpp.push_back(e);
            s.bpp_bytes += e.request_bytes;
            s.bpp_apdus += e.store_data_apdus + e.get_response_apdus;
        }
    s.bpp_floor = floor_of(bpp, 0, block).total();
    return s;
}

void print_table(std::ostream& out, const Series& series) {
    const auto& st = series.settings;
    const auto& first = series.runs.at(0);
    const std::size_t phases = first.size();
    std::vector<PhaseSummary> sum;
    for (const auto& p : first) sum.push_back(summarize(p, st.block));

    // Counts are per iteration; a fresh card each time makes them repeat. Say so when they do not.
    bool same = true;
    for (const auto& run : series.runs)
        for (std::size_t i = 0; i < phases; ++i) same = same && run.at(i).card.apdus == first[i].card.apdus;

    out << "\n== " << std::filesystem::path(st.profile_path).filename().string() << ", "
        << (st.card_uri.empty() ? std::to_string(st.latency_ms) + " ms per APDU" : "card " + st.card_uri)
        << ", STORE DATA blocks of " << st.block << (st.explicit_le ? ", Le 00 sent" : ", no Le")
        << ", " << series.runs.size() << " iteration(s) ==\n";
    auto row = [&](const std::string& label, const std::function<std::string(std::size_t)>& cell) {
        char head[40];
        std::snprintf(head, sizeof head, "%-30s", label.c_str());
        out << head;
        for (std::size_t i = 0; i < phases; ++i) {
            char c[24];
            std::snprintf(c, sizeof c, "%14s", cell(i).c_str());
            out << c;
        }
        out << "\n";
    };
    auto num = [](std::size_t v) { return std::to_string(v); };
    row("phase", [&](std::size_t i) { return first[i].phase; });
    row("ES10 commands", [&](std::size_t i) { return num(first[i].es10.size()); });
    row("APDUs", [&](std::size_t i) { return num(first[i].card.apdus); });
    row("  MANAGE CHANNEL", [&](std::size_t i) { return num(first[i].card.manage_channel); });
    row("  SELECT", [&](std::size_t i) { return num(first[i].card.select); });
    row("  STORE DATA", [&](std::size_t i) { return num(first[i].card.store_data); });
    row("  GET RESPONSE", [&](std::size_t i) { return num(first[i].card.get_response); });
    row("  other", [&](std::size_t i) { return num(first[i].card.other); });
    row("bytes to card", [&](std::size_t i) { return num(first[i].card.bytes_in); });
    row("bytes from card", [&](std::size_t i) { return num(first[i].card.bytes_out); });
    row("HTTP requests", [&](std::size_t i) { return num(first[i].http.requests); });
    row("TLS handshakes", [&](std::size_t i) { return num(first[i].http.tls_handshakes); });
    row("HTTP bytes up", [&](std::size_t i) { return num(first[i].http.bytes_up); });
    row("HTTP bytes down", [&](std::size_t i) { return num(first[i].http.bytes_down); });
    auto walls = [&](std::size_t i) {
        std::vector<double> w;
        for (const auto& run : series.runs) w.push_back(run.at(i).wall_ms);
        return w;
    };
    row("wall ms (median)", [&](std::size_t i) { return fmt(median(walls(i)), 2); });
    row("wall ms (min..max)", [&](std::size_t i) {
        auto w = walls(i);
        return fmt(*std::min_element(w.begin(), w.end()), 0) + ".." + fmt(*std::max_element(w.begin(), w.end()), 0);
    });
    row("  of which APDU latency ms", [&](std::size_t i) { return num(first[i].card.apdus * st.latency_ms); });
    row("peak RSS KiB (process)", [&](std::size_t i) { return std::to_string(series.runs.back().at(i).peak_rss_kib); });
    row("floor APDUs", [&](std::size_t i) { return num(sum[i].floor.total()); });
    row("  channel+SELECT / SD / GR", [&](std::size_t i) {
        return num(sum[i].floor.channel) + "/" + num(sum[i].floor.store_data) + "/" + num(sum[i].floor.get_response);
    });
    row("above floor", [&](std::size_t i) { return fmt(sum[i].above_floor_pct, 1) + " %"; });
    row("floor without Le (T=0)", [&](std::size_t i) {
        return num(sum[i].floor.channel + sum[i].floor.store_data + sum[i].floor.get_response_no_le);
    });
    row("BPP bytes", [&](std::size_t i) { return sum[i].bpp_bytes ? num(sum[i].bpp_bytes) : "-"; });
    row("BPP load APDUs / floor", [&](std::size_t i) {
        return sum[i].bpp_bytes ? num(sum[i].bpp_apdus) + "/" + num(sum[i].bpp_floor) : "-";
    });
    if (!same) out << "note: APDU counts differ between iterations; the table shows iteration 1\n";

    for (std::size_t i = 0; i < phases; ++i) {
        char head[160];
        const std::string title = first[i].phase + ", ES10 functions";
        std::snprintf(head, sizeof head, "  %-34s %5s %7s %7s %5s %5s %6s\n", title.c_str(), "count", "req B",
                      "resp B", "SD", "GR", "floor");
        out << head;
        for (const auto& g : group(first[i].es10, st.block)) {
            char line[160];
            std::snprintf(line, sizeof line, "    %-32s %5zu %7zu %7zu %5zu %5zu %6zu\n", es10_name(g.tag).c_str(),
                          g.count, g.request_bytes, g.response_bytes, g.store_data, g.get_response, g.floor);
            out << line;
        }
    }
}

void print_json(std::ostream& out, const std::vector<Series>& all) {
    nlohmann::json doc = nlohmann::json::array();
    for (const auto& series : all) {
        const auto& st = series.settings;
        nlohmann::json runs = nlohmann::json::array();
        for (const auto& run : series.runs) {
            nlohmann::json phases = nlohmann::json::array();
            for (const auto& p : run) {
                const auto s = summarize(p, st.block);
                nlohmann::json es10 = nlohmann::json::array();
                for (const auto& e : p.es10)
                    es10.push_back({{"tag", e.tag}, {"name", es10_name(e.tag)}, {"request_bytes", e.request_bytes},
                                    {"response_bytes", e.response_bytes}, {"store_data", e.store_data_apdus},
                                    {"get_response", e.get_response_apdus}});
                phases.push_back({
                    {"phase", p.phase},
                    {"es10_commands", p.es10.size()},
                    {"apdus", {{"total", p.card.apdus}, {"manage_channel", p.card.manage_channel},
                               {"select", p.card.select}, {"store_data", p.card.store_data},
                               {"get_response", p.card.get_response}, {"other", p.card.other}}},
                    {"bytes_to_card", p.card.bytes_in},
                    {"bytes_from_card", p.card.bytes_out},
                    {"http", {{"clients", p.http.clients}, {"requests", p.http.requests},
                              {"tls_handshakes", p.http.tls_handshakes}, {"bytes_up", p.http.bytes_up},
                              {"bytes_down", p.http.bytes_down}}},
                    {"wall_ms", p.wall_ms},
                    {"peak_rss_kib", p.peak_rss_kib},
                    {"floor", {{"total", s.floor.total()}, {"channel", s.floor.channel},
                               {"store_data", s.floor.store_data}, {"get_response", s.floor.get_response},
                               {"get_response_without_le", s.floor.get_response_no_le}}},
                    {"above_floor_pct", s.above_floor_pct},
                    {"bpp_bytes", s.bpp_bytes},
                    {"bpp_load", {{"apdus", s.bpp_apdus}, {"floor", s.bpp_floor}}},
                    {"es10", es10},
                });
            }
            runs.push_back(phases);
        }
        doc.push_back({{"profile", std::filesystem::path(st.profile_path).filename().string()},
                       {"latency_ms", st.latency_ms},
                       {"card", st.card_uri.empty() ? std::string("virtual, in process") : st.card_uri},
                       {"block", st.block}, {"explicit_le", st.explicit_le},
                       {"iterations", runs}});
    }
    out << doc.dump(2) << "\n";
}

}  // namespace lpad::bench
