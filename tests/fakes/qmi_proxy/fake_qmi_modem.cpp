// SPDX-License-Identifier: Apache-2.0
#include "tests/fakes/qmi_proxy/fake_qmi_modem.h"

#include <algorithm>
#include <cstdlib>

#include "drivers/qmi/uim_messages.h"
#include "libapdu/apdu.h"
#include "libapdu/error.h"

namespace lpad::fake_qmi {

namespace {

using qmi::Tlv;
using qmi::TlvList;

constexpr std::uint8_t kCtl = 0x00, kDms = 0x02, kUim = 0x0B;
// QMI protocol errors (libqmi's QmiProtocolError).
constexpr std::uint16_t kInternal = 0x0003, kInvalidClientId = 0x0007, kInvalidArgument = 0x0030,
                        kDeviceNotReady = 0x0034, kInvalidQmiCommand = 0x0047;

TlvList failure(std::uint16_t error) { return {qmi::result_tlv({1, error})}; }
TlvList success() { return {qmi::result_tlv({0, 0})}; }

std::string message_name(std::uint8_t service, std::uint16_t id) {
    switch (service) {
        case kCtl:
            switch (id) {
                case 0x0021: return "GetVersionInfo";
                case 0x0022: return "AllocateCid";
                case 0x0023: return "ReleaseCid";
                case 0x0027: return "Sync";
                case 0xFF00: return "ProxyOpen";
            }
            break;
        case kDms:
            if (id == 0x0025) return "GetIds";
            break;
        case kUim:
            switch (id) {
                case qmi::uim::kSendApdu: return "SendApdu";
                case qmi::uim::kLogicalChannel: return "LogicalChannel";
                case qmi::uim::kOpenLogicalChannel: return "OpenLogicalChannel";
                case qmi::uim::kSwitchSlot: return "SwitchSlot";
                case qmi::uim::kGetSlotStatus: return "GetSlotStatus";
            }
            break;
    }
    return "s" + std::to_string(service) + "m" + std::to_string(id);
}

Bytes frame(std::uint8_t service, std::uint8_t cid, const Bytes& sdu) {
    Bytes out{0x01};
    qmi::put_u16(out, static_cast<std::uint16_t>(sdu.size() + 5));
    out.push_back(0x80);  // from the service
    out.push_back(service);
    out.push_back(cid);
    append(out, sdu);
    return out;
}

Bytes ctl_sdu(std::uint8_t transaction, std::uint16_t id, const TlvList& tlvs) {
    Bytes body = qmi::encode_tlvs(tlvs);
    Bytes sdu{0x01, transaction};  // response
    qmi::put_u16(sdu, id);
    qmi::put_u16(sdu, static_cast<std::uint16_t>(body.size()));
    append(sdu, body);
    return sdu;
}

}  // namespace

Fault Fault::parse(const std::string& text) {
    Fault f;
    const auto hash = text.find('#');
    const auto colon = text.find(':');
    if (hash == std::string::npos || colon == std::string::npos || colon < hash)
        fail(Errc::InvalidArgument, "fault '" + text + "': expected MESSAGE#N:ACTION");
    f.message = text.substr(0, hash);
    if (const auto tilde = f.message.find('~'); tilde != std::string::npos) {
        f.contains = from_hex(f.message.substr(tilde + 1));
        f.message.resize(tilde);
    }
    std::string n = text.substr(hash + 1, colon - hash - 1);
    if (!n.empty() && n.back() == '+') {
        f.repeat = true;
        n.pop_back();
    }
    f.occurrence = static_cast<unsigned>(std::strtoul(n.c_str(), nullptr, 10));
    if (f.occurrence == 0) fail(Errc::InvalidArgument, "fault '" + text + "': occurrence counts from 1");
    const std::string action = text.substr(colon + 1);
    if (action.rfind("error=", 0) == 0) {
        f.kind = Kind::Error;
        f.error = static_cast<std::uint16_t>(std::strtoul(action.c_str() + 6, nullptr, 0));
    } else if (action.rfind("delay=", 0) == 0) {
        f.kind = Kind::Delay;
        f.delay_ms = static_cast<unsigned>(std::strtoul(action.c_str() + 6, nullptr, 10));
    } else if (action == "drop") {
        f.kind = Kind::Drop;
    } else if (action == "silent") {
        f.kind = Kind::Silent;
    } else {
        fail(Errc::InvalidArgument, "fault '" + text + "': action is error=CODE, delay=MS, drop or silent");
    }
    return f;
}

std::string Counters::to_json() const {
    std::string j = "{\"clients\":{";
    bool first = true;
    for (auto [service, n] : clients) {
        j += (first ? "\"" : ",\"") + std::to_string(service) + "\":" + std::to_string(n);
        first = false;
    }
    j += "},\"channels\":" + std::to_string(channels) + ",\"channels_opened\":" + std::to_string(channels_opened) +
         ",\"channels_released_with_client\":" + std::to_string(channels_released_with_client) +
         ",\"cla_mismatches\":" + std::to_string(cla_mismatches) + ",\"apdus\":" + std::to_string(apdus) +
         ",\"faults_fired\":" + std::to_string(faults_fired) + ",\"connections\":" + std::to_string(connections) +
         ",\"switch_slots\":" + std::to_string(switch_slots) + ",\"syncs\":" + std::to_string(syncs) + ",\"messages\":{";
    first = true;
    for (const auto& [name, n] : messages) {
        j += (first ? "\"" : ",\"") + name + "\":" + std::to_string(n);
        first = false;
    }
    return j + "}}";
}

std::size_t qmux_frame_length(ByteView buffer) {
    if (buffer.empty()) return 0;
    if (buffer[0] != 0x01) fail(Errc::MalformedData, "QMUX framing broken: no marker");
    if (buffer.size() < 3) return 0;
    const std::size_t length = 1u + (buffer[1] | (buffer[2] << 8));
    if (length < 6) fail(Errc::MalformedData, "QMUX frame too short");
    return buffer.size() >= length ? length : 0;
}

FakeModem::FakeModem(std::shared_ptr<virtual_euicc::VirtualCard> card, ModemConfig config)
    : card_(std::move(card)), config_(std::move(config)) {}

void FakeModem::connected(int connection) {
    std::lock_guard lock(mutex_);
    connections_.insert(connection);
}

void FakeModem::disconnected(int connection) {
    std::lock_guard lock(mutex_);
    connections_.erase(connection);
    std::vector<std::pair<std::uint8_t, std::uint8_t>> owned;
    for (const auto& [key, client] : clients_)
        if (client.connection == connection) owned.push_back(key);
    for (auto [service, cid] : owned) release_client(service, cid);
}

void FakeModem::release_client(std::uint8_t service, std::uint8_t cid) {
    clients_.erase({service, cid});
    if (service != kUim) return;
    for (auto it = channels_.begin(); it != channels_.end();) {
        if (it->second == cid) {
            try {
                card_->process(Bytes{0x00, 0x70, 0x80, it->first});
            } catch (const Error&) {
            }
            ++counters_.channels_released_with_client;
            it = channels_.erase(it);
        } else {
            ++it;
        }
    }
}

Counters FakeModem::counters() const {
    std::lock_guard lock(mutex_);
    Counters c = counters_;
    for (const auto& [key, client] : clients_) ++c.clients[key.first];
    c.channels = channels_.size();
    c.connections = connections_.size();
    return c;
}

std::optional<Fault> FakeModem::fault_for(const std::string& message, ByteView payload) {
    seen_.resize(config_.faults.size());
    for (std::size_t i = 0; i < config_.faults.size(); ++i) {
        const Fault& f = config_.faults[i];
        if (f.message != message) continue;
        if (!f.contains.empty() &&
            std::search(payload.begin(), payload.end(), f.contains.begin(), f.contains.end()) == payload.end())
            continue;
        const unsigned n = ++seen_[i];
        if (n == f.occurrence || (f.repeat && n > f.occurrence)) {
            ++counters_.faults_fired;
            return f;
        }
    }
    return std::nullopt;
}

Reply FakeModem::handle(int connection, ByteView raw) {
    std::lock_guard lock(mutex_);
    qmi::Reader r(raw, "QMUX header");
    (void)r.u8();  // marker
    (void)r.u16();
    (void)r.u8();  // flags
    const std::uint8_t service = r.u8();
    const std::uint8_t cid = r.u8();
    const Bytes sdu = r.bytes(r.remaining());

    std::uint16_t id = 0;
    std::uint16_t transaction = 0;
    TlvList tlvs;
    if (service == kCtl) {
        qmi::Reader h(sdu, "CTL header");
        (void)h.u8();
        transaction = h.u8();
        id = h.u16();
        const std::uint16_t length = h.u16();
        if (length != h.remaining()) fail(Errc::MalformedData, "CTL TLV length mismatch");
        tlvs = qmi::decode_tlvs(h.bytes(length));
    } else {
        auto m = qmi::decode_service_message(sdu);
        id = m.message_id;
        transaction = m.transaction;
        tlvs = std::move(m.tlvs);
    }
    const std::string name = message_name(service, id);
    ++counters_.messages[name];

    Reply reply;
    Bytes payload;
    if (service == kUim && id == qmi::uim::kSendApdu) {
        try {
            payload = qmi::uim::parse_send_apdu_request(tlvs).apdu;
        } catch (const Error&) {
        }
    }
    std::optional<Fault> fault = fault_for(name, payload);
    if (fault) {
        switch (fault->kind) {
            case Fault::Kind::Drop: reply.drop = true; return reply;
            case Fault::Kind::Silent: return reply;
            case Fault::Kind::Delay: reply.delay = std::chrono::milliseconds(fault->delay_ms); break;
            case Fault::Kind::Error: break;
        }
    }
    const bool inject_error = fault && fault->kind == Fault::Kind::Error;
    if (service == kCtl) {
        if (inject_error) {
            reply.frame = frame(kCtl, 0, ctl_sdu(static_cast<std::uint8_t>(transaction), id, failure(fault->error)));
            return reply;
        }
        Reply r2 = ctl(connection, static_cast<std::uint8_t>(transaction), id, tlvs);
        r2.delay = reply.delay;
        return r2;
    }

    TlvList answer;
    if (!clients_.count({service, cid})) answer = failure(kInvalidClientId);
    else if (inject_error) answer = failure(fault->error);
    else if (service == kDms) answer = dms(id);
    else if (service == kUim) answer = uim(cid, id, tlvs);
    else answer = failure(kInvalidQmiCommand);
    qmi::ServiceMessage response;
    response.flags = qmi::kServiceFlagResponse;
    response.transaction = transaction;
    response.message_id = id;
    response.tlvs = std::move(answer);
    reply.frame = frame(service, cid, qmi::encode_service_message(response));
    return reply;
}

Reply FakeModem::ctl(int connection, std::uint8_t transaction, std::uint16_t id, const TlvList& tlvs) {
    TlvList answer = success();
    switch (id) {
        case 0xFF00: {  // Internal Proxy Open: TLV 0x01, the port path as a plain string
            const Tlv* path = qmi::find_tlv(tlvs, 0x01);
            if (!path) {
                answer = failure(kInvalidArgument);
            } else if (!config_.device.empty() && to_string(path->value) != config_.device) {
                answer = failure(kInvalidArgument);
            }
            break;
        }
        case 0x0021: {  // Get Version Info: services CTL 1.5, DMS 1.14, UIM 1.60
            Tlv list{0x01, Bytes{3}};
            for (auto [service, major, minor] : {std::tuple{0, 1, 5}, std::tuple{2, 1, 14}, std::tuple{11, 1, 60}}) {
                list.value.push_back(static_cast<std::uint8_t>(service));
                qmi::put_u16(list.value, static_cast<std::uint16_t>(major));
                qmi::put_u16(list.value, static_cast<std::uint16_t>(minor));
            }
            answer.push_back(std::move(list));
            break;
        }
        case 0x0022: {  // Allocate CID: 01 service → 01 {service, cid}
            const Tlv* t = qmi::find_tlv(tlvs, 0x01);
            if (!t || t->value.size() != 1) {
                answer = failure(kInvalidArgument);
                break;
            }
            const std::uint8_t service = t->value[0];
            std::uint8_t cid = 1;
            while (cid < 255 && clients_.count({service, cid})) ++cid;
            if (cid == 255) {
                answer = failure(0x0005);  // client ids exhausted
                break;
            }
            clients_[{service, cid}] = Client{connection, service};
            answer.push_back(Tlv{0x01, Bytes{service, cid}});
            break;
        }
        case 0x0023: {  // Release CID: 01 {service, cid}
            const Tlv* t = qmi::find_tlv(tlvs, 0x01);
            if (!t || t->value.size() != 2 || !clients_.count({t->value[0], t->value[1]})) {
                answer = failure(kInvalidClientId);
                break;
            }
            release_client(t->value[0], t->value[1]);
            answer.push_back(*t);
            break;
        }
        case 0x0027: {  // Sync: the modem releases every client id (and the UIM channels those clients held)
            std::vector<std::pair<std::uint8_t, std::uint8_t>> all;
            for (const auto& [key, client] : clients_) all.push_back(key);
            for (auto [service, cid] : all) release_client(service, cid);
            ++counters_.syncs;
            break;
        }
        default: answer = failure(kInvalidQmiCommand);
    }
    Reply reply;
    reply.frame = frame(kCtl, 0, ctl_sdu(transaction, id, answer));
    return reply;
}

TlvList FakeModem::dms(std::uint16_t id) {
    if (id != 0x0025) return failure(kInvalidQmiCommand);
    TlvList answer = success();
    answer.push_back(Tlv{0x10, Bytes{'0'}});  // ESN
    answer.push_back(Tlv{0x11, Bytes(config_.imei.begin(), config_.imei.end())});
    return answer;
}

bool FakeModem::card_reachable(std::uint8_t slot) const {
    // Logical slot 1 is the active physical slot; the eUICC answers only when its slot is the active one.
    return slot == 1 && config_.active_slot == config_.euicc_slot && card_->powered();
}

TlvList FakeModem::uim(std::uint8_t cid, std::uint16_t id, const TlvList& tlvs) {
    switch (id) {
        case qmi::uim::kGetSlotStatus: return slot_status();
        case qmi::uim::kSwitchSlot: {
            const Tlv* physical = qmi::find_tlv(tlvs, 0x02);
            if (!physical || physical->value.size() != 4) return failure(kInvalidArgument);
            qmi::Reader r(physical->value, "physical slot");
            const std::uint32_t slot = r.u32();
            if (slot == 0 || slot > config_.slots) return failure(kInvalidArgument);
            if (slot == config_.active_slot) return failure(0x001A);  // no effect
            ++counters_.switch_slots;
            config_.active_slot = slot;
            return success();
        }
        case qmi::uim::kOpenLogicalChannel: return open_channel(cid, tlvs);
        case qmi::uim::kLogicalChannel: return close_channel(tlvs);
        case qmi::uim::kSendApdu: return send_apdu(tlvs);
    }
    return failure(kInvalidQmiCommand);
}

TlvList FakeModem::slot_status() const {
    qmi::uim::SlotStatusResponse r;
    for (unsigned i = 1; i <= config_.slots; ++i) {
        qmi::uim::PhysicalSlot s;
        const bool euicc = i == config_.euicc_slot;
        s.card_state = euicc ? 2 : 1;
        s.slot_state = i == config_.active_slot ? 1 : 0;
        s.logical_slot = i == config_.active_slot ? 1 : 0;
        s.is_euicc = euicc;
        if (euicc) s.atr = card_->atr();
        r.slots.push_back(std::move(s));
    }
    return qmi::uim::encode_get_slot_status_response(r);
}

Bytes FakeModem::card_exchange(Bytes apdu) {
    Bytes response = card_->process(apdu);
    Bytes data;
    while (response.size() >= 2 && response[response.size() - 2] == 0x61) {
        const std::uint8_t le = response.back();
        data.insert(data.end(), response.begin(), response.end() - 2);
        response = card_->process(Bytes{apdu[0], 0xC0, 0x00, 0x00, le});
    }
    Bytes out = data;
    append(out, response);
    return out;
}

TlvList FakeModem::open_channel(std::uint8_t cid, const TlvList& tlvs) {
    auto request = qmi::uim::parse_open_logical_channel_request(tlvs);
    if (request.aid.empty()) return failure(kInvalidArgument);
    if (!card_reachable(request.slot)) return failure(kDeviceNotReady);
    qmi::uim::OpenLogicalChannelResponse r;
    Bytes manage = card_->process(Bytes{0x00, 0x70, 0x00, 0x00, 0x01});
    const std::uint16_t manage_sw = static_cast<std::uint16_t>(manage[manage.size() - 2] << 8 | manage.back());
    if (manage_sw != 0x9000 || manage.size() != 3) {
        r.result = {1, 0x0044};  // insufficient resources
        r.status_word = manage_sw;
        return qmi::uim::encode_open_logical_channel_response(r);
    }
    const std::uint8_t channel = manage[0];
    Bytes select{apdu::cla_for_channel(0x00, channel), 0xA4, 0x04, 0x00,
                 static_cast<std::uint8_t>(request.aid.size())};
    append(select, request.aid);
    select.push_back(0x00);
    Bytes answer = card_exchange(select);
    const std::uint16_t sw = static_cast<std::uint16_t>(answer[answer.size() - 2] << 8 | answer.back());
    if (sw != 0x9000) {
        card_->process(Bytes{0x00, 0x70, 0x80, channel});
        r.result = {1, kInternal};
        r.status_word = sw;
        return qmi::uim::encode_open_logical_channel_response(r);
    }
    channels_[channel] = cid;
    ++counters_.channels_opened;
    r.channel = channel;
    r.status_word = sw;
    r.select_response.assign(answer.begin(), answer.end() - 2);
    if (r.select_response.size() > 255) r.select_response.resize(255);
    return qmi::uim::encode_open_logical_channel_response(r);
}

TlvList FakeModem::close_channel(const TlvList& tlvs) {
    auto request = qmi::uim::parse_close_logical_channel_request(tlvs);
    if (!request.channel || !channels_.count(*request.channel)) return failure(kInvalidArgument);
    channels_.erase(*request.channel);
    qmi::uim::CloseLogicalChannelResponse r;
    if (card_->powered()) {
        Bytes answer = card_->process(Bytes{0x00, 0x70, 0x80, *request.channel});
        r.status_word = static_cast<std::uint16_t>(answer[answer.size() - 2] << 8 | answer.back());
    }
    return qmi::uim::encode_close_logical_channel_response(r);
}

TlvList FakeModem::send_apdu(const TlvList& tlvs) {
    auto request = qmi::uim::parse_send_apdu_request(tlvs);
    if (!card_reachable(request.slot)) return failure(kDeviceNotReady);
    const std::uint8_t channel = request.channel.value_or(0);
    if (channel != 0 && !channels_.count(channel)) return failure(kInvalidArgument);
    if (request.apdu.size() < 4) return failure(kInvalidArgument);
    if (apdu::channel_of(request.apdu[0]) != channel) ++counters_.cla_mismatches;
    ++counters_.apdus;
    qmi::uim::SendApduResponse r;
    try {
        r.apdu = config_.resolve_61xx ? card_exchange(request.apdu) : card_->process(request.apdu);
    } catch (const Error&) {
        return failure(kDeviceNotReady);  // the card dropped (a virtual card fault)
    }
    return qmi::uim::encode_send_apdu_response(r);
}

}  // namespace lpad::fake_qmi
