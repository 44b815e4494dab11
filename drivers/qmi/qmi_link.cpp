// SPDX-License-Identifier: Apache-2.0
#include "drivers/qmi/qmi_link.h"

#include <libqrtr-glib.h>

#include <mutex>
#include <utility>

#include "drivers/qmi/qmi_errors.h"
#include "libapdu/error.h"
#include "libapdu/log.h"

namespace lpad::qmi {

namespace {

constexpr std::string_view kLog = "qmi";
constexpr unsigned kGuardSlackSeconds = 5;  // the guard fires only when libqmi's own timeout did not

struct Pending {
    GAsyncResult* result = nullptr;
};

void on_ready(GObject*, GAsyncResult* result, gpointer data) {
    static_cast<Pending*>(data)->result = G_ASYNC_RESULT(g_object_ref(result));
}

// libqmi's own messages (log domain "Qmi") go to lpad's log instead of stderr: criticals as warnings, the rest
// (e.g. its port-type guesses) at debug level.
void route_libqmi_log() {
    static std::once_flag once;
    std::call_once(once, [] {
        g_log_set_handler("Qmi", static_cast<GLogLevelFlags>(G_LOG_LEVEL_MASK),
                          [](const gchar*, GLogLevelFlags level, const gchar* message, gpointer) {
                              const std::string text = std::string("libqmi: ") + (message ? message : "");
                              if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) log::warning(kLog, text);
                              else log::debug(kLog, text);
                          },
                          nullptr);
    });
}

}  // namespace

QmiLink::QmiLink(LinkOptions options) : options_(std::move(options)), context_(g_main_context_new()) {
    route_libqmi_log();
    description_ = options_.qrtr_node ? "qrtr node " + std::to_string(*options_.qrtr_node)
                                      : options_.device + (options_.proxy ? " (through qmi-proxy)" : "");
    try {
        open_device();
        uim_ = allocate(QMI_SERVICE_UIM);
    } catch (...) {
        release(uim_);
        if (device_) {
            if (removed_handler_) g_signal_handler_disconnect(device_.get(), removed_handler_);
            removed_handler_ = 0;
        }
        device_.reset();
        throw;
    }
    log::info(kLog, "opened " + description_ + ", UIM client id " +
                        std::to_string(qmi_client_get_cid(uim_.get())));
}

QmiLink::~QmiLink() {
    release(dms_);
    release(uim_);
    if (device_) {
        if (removed_handler_) g_signal_handler_disconnect(device_.get(), removed_handler_);
        if (!removed_) {
            try {
                QmiDevice* device = device_.get();
                unsigned timeout = options_.timeout_s;
                auto res = run([&](GCancellable* c, GAsyncReadyCallback cb, gpointer d) {
                    qmi_device_close_async(device, timeout, c, cb, d);
                }, "close");
                ErrorOut error;
                qmi_device_close_finish(device, res.get(), error.out());
            } catch (const std::exception& e) {
                log::debug(kLog, std::string("closing the device: ") + e.what());
            }
        }
        device_.reset();
    }
    // Let anything libqmi queued on the context run its course before the context goes.
    while (g_main_context_iteration(context_.get(), FALSE)) {
    }
}

void QmiLink::on_removed(QmiDevice*, gpointer self) {
    auto* link = static_cast<QmiLink*>(self);
    link->removed_ = true;
    log::warning(kLog, link->description_ + ": device removed (qmi-proxy or port gone)");
    if (link->current_) g_cancellable_cancel(link->current_);
}

GObjectPtr<GAsyncResult> QmiLink::run(const Start& start, const std::string& what) {
    if (removed_) fail(Errc::Unavailable, "qmi: " + description_ + " is gone (" + what + ")");
    ThreadDefaultContext scope(context_.get());
    GObjectPtr<GCancellable> cancellable(g_cancellable_new());
    Pending pending;
    guard_fired_ = false;
    struct GuardData {
        QmiLink* link;
        GCancellable* cancellable;
    } guard_data{this, cancellable.get()};
    GSource* guard = g_timeout_source_new_seconds(options_.timeout_s + kGuardSlackSeconds);
    g_source_set_callback(guard, [](gpointer p) -> gboolean {
        auto* g = static_cast<GuardData*>(p);
        g->link->guard_fired_ = true;
        g_cancellable_cancel(g->cancellable);
        return G_SOURCE_REMOVE;
    }, &guard_data, nullptr);
    g_source_attach(guard, context_.get());
    current_ = cancellable.get();
    start(cancellable.get(), on_ready, &pending);
    while (!pending.result) g_main_context_iteration(context_.get(), TRUE);
    current_ = nullptr;
    g_source_destroy(guard);
    g_source_unref(guard);
    return GObjectPtr<GAsyncResult>(pending.result);
}

void QmiLink::raise(const ErrorOut& error, const std::string& what) {
    const std::string detail = "qmi: " + description_ + ": " + what + ": " + error.message();
    if (removed_) fail(Errc::Unavailable, "qmi: " + description_ + ": " + what + ": the device went away (" +
                                              error.message() + ")");
    if (guard_fired_) fail(Errc::Timeout, detail + " (no answer in " + std::to_string(options_.timeout_s) + " s)");
    const GError* e = error.get();
    if (e && e->domain == QMI_CORE_ERROR && e->code == QMI_CORE_ERROR_TIMEOUT) fail(Errc::Timeout, detail);
    if (e && e->domain == QMI_PROTOCOL_ERROR) throw qmi_error(static_cast<std::uint16_t>(e->code), what);
    fail(Errc::TransportError, detail);
}

void QmiLink::open_device() {
    ErrorOut error;
    const unsigned timeout = options_.timeout_s;
    if (options_.qrtr_node) {
#if QMI_QRTR_SUPPORTED
        // QRTR: many clients share a node natively (no proxy). A kernel without AF_QIPCRTR fails creating the bus.
        auto res = run([&](GCancellable* c, GAsyncReadyCallback cb, gpointer d) {
            qrtr_bus_new(timeout * 1000, c, cb, d);
        }, "QRTR bus");
        GObjectPtr<QrtrBus> bus(qrtr_bus_new_finish(res.get(), error.out()));
        if (!bus)
            fail(Errc::Unavailable, "qmi: cannot open the QRTR bus (does this kernel have AF_QIPCRTR?): " +
                                        error.message());
        const std::uint32_t node_id = *options_.qrtr_node;
        res = run([&](GCancellable* c, GAsyncReadyCallback cb, gpointer d) {
            qrtr_bus_wait_for_node(bus.get(), node_id, timeout * 1000, c, cb, d);
        }, "QRTR node");
        GObjectPtr<QrtrNode> node(qrtr_bus_wait_for_node_finish(bus.get(), res.get(), error.out()));
        if (!node) fail(Errc::Unavailable, "qmi: no QRTR node " + std::to_string(node_id) + ": " + error.message());
        res = run([&](GCancellable* c, GAsyncReadyCallback cb, gpointer d) {
            qmi_device_new_from_node(node.get(), c, cb, d);
        }, "QRTR device");
        device_.reset(qmi_device_new_from_node_finish(res.get(), error.out()));
#else
        fail(Errc::Unavailable, "qmi: this libqmi was built without QRTR support");
#endif
    } else {
        GObjectPtr<GFile> file(g_file_new_for_path(options_.device.c_str()));
        auto res = run([&](GCancellable* c, GAsyncReadyCallback cb, gpointer d) {
            qmi_device_new(file.get(), c, cb, d);
        }, "device");
        device_.reset(qmi_device_new_finish(res.get(), error.out()));
    }
    if (!device_) fail(Errc::Unavailable, "qmi: " + description_ + ": " + error.message());
    removed_handler_ = g_signal_connect(device_.get(), QMI_DEVICE_SIGNAL_REMOVED, G_CALLBACK(on_removed), this);

    // Through the proxy, a dead run's client ids were released by qmi-proxy when its connection closed. On a port
    // opened directly (exclusively: O_EXCL), CTL Sync releases every client id a crashed run left allocated, and
    // with them the logical channels the modem's UIM service held for those clients. Never through the proxy: there
    // Sync would release ModemManager's clients too.
    unsigned open_flags = QMI_DEVICE_OPEN_FLAGS_VERSION_INFO;
    if (options_.proxy) open_flags |= QMI_DEVICE_OPEN_FLAGS_PROXY;
    else if (!options_.qrtr_node) open_flags |= QMI_DEVICE_OPEN_FLAGS_SYNC;
    const auto flags = static_cast<QmiDeviceOpenFlags>(open_flags);
    QmiDevice* device = device_.get();
    auto res = run([&](GCancellable* c, GAsyncReadyCallback cb, gpointer d) {
        qmi_device_open(device, flags, timeout, c, cb, d);
    }, "open");
    if (!qmi_device_open_finish(device, res.get(), error.out())) {
        // No proxy to reach, no port, no permission: the modem is not usable now; the daemon retries when idle.
        if (!guard_fired_)
            fail(Errc::Unavailable, "qmi: cannot open " + description_ + ": " + error.message());
        raise(error, "open");
    }
}

GObjectPtr<QmiClient> QmiLink::allocate(QmiService service) {
    ErrorOut error;
    QmiDevice* device = device_.get();
    const unsigned timeout = options_.timeout_s;
    auto res = run([&](GCancellable* c, GAsyncReadyCallback cb, gpointer d) {
        qmi_device_allocate_client(device, service, QMI_CID_NONE, timeout, c, cb, d);
    }, "allocate client");
    GObjectPtr<QmiClient> client(qmi_device_allocate_client_finish(device, res.get(), error.out()));
    if (!client) raise(error, std::string("allocating a ") + qmi_service_get_string(service) + " client");
    return client;
}

void QmiLink::release(GObjectPtr<QmiClient>& client) noexcept {
    if (!client) return;
    if (device_ && !removed_) {
        try {
            QmiDevice* device = device_.get();
            QmiClient* c = client.get();
            const unsigned timeout = options_.timeout_s;
            auto res = run([&](GCancellable* cancel, GAsyncReadyCallback cb, gpointer d) {
                qmi_device_release_client(device, c, QMI_DEVICE_RELEASE_CLIENT_FLAGS_RELEASE_CID, timeout, cancel,
                                          cb, d);
            }, "release client");
            ErrorOut error;
            if (!qmi_device_release_client_finish(device, res.get(), error.out()))
                log::warning(kLog, "releasing client id " + std::to_string(qmi_client_get_cid(c)) + ": " +
                                       error.message());
        } catch (const std::exception& e) {
            log::warning(kLog, std::string("releasing a client: ") + e.what());
        }
    }
    client.reset();
}

TlvList QmiLink::uim_request(std::uint16_t message_id, const TlvList& tlvs, const char* name) {
    ServiceMessage request;
    request.transaction = qmi_client_get_next_transaction_id(uim_.get());
    request.message_id = message_id;
    request.tlvs = tlvs;
    const Bytes sdu = encode_service_message(request);
    GByteArray* buffer = g_byte_array_sized_new(static_cast<guint>(sdu.size()));
    g_byte_array_append(buffer, sdu.data(), static_cast<guint>(sdu.size()));
    ErrorOut error;
    MessagePtr message(qmi_message_new_from_data(QMI_SERVICE_UIM, qmi_client_get_cid(uim_.get()), buffer,
                                                 error.out()));
    g_byte_array_unref(buffer);
    if (!message) fail(Errc::Internal, std::string("qmi: building UIM ") + name + ": " + error.message());

    QmiDevice* device = device_.get();
    const unsigned timeout = options_.timeout_s;
    auto res = run([&](GCancellable* c, GAsyncReadyCallback cb, gpointer d) {
        qmi_device_command_full(device, message.get(), nullptr, timeout, c, cb, d);
    }, std::string("UIM ") + name);
    MessagePtr response(qmi_device_command_full_finish(device, res.get(), error.out()));
    if (!response) raise(error, std::string("UIM ") + name);
    gsize length = 0;
    const guint8* data = qmi_message_get_data(response.get(), &length, error.out());
    if (!data) fail(Errc::MalformedData, std::string("qmi: UIM ") + name + ": " + error.message());
    ServiceMessage decoded = decode_service_message(ByteView(data, length));
    if (decoded.message_id != message_id || !(decoded.flags & kServiceFlagResponse))
        fail(Errc::MalformedData, std::string("qmi: UIM ") + name + ": answered by another message");
    return std::move(decoded.tlvs);
}

std::string QmiLink::imei() {
    try {
        if (!dms_) dms_ = allocate(QMI_SERVICE_DMS);
        ErrorOut error;
        QmiClientDms* dms = QMI_CLIENT_DMS(dms_.get());
        const unsigned timeout = options_.timeout_s;
        auto res = run([&](GCancellable* c, GAsyncReadyCallback cb, gpointer d) {
            qmi_client_dms_get_ids(dms, nullptr, timeout, c, cb, d);
        }, "DMS Get IDs");
        QmiMessageDmsGetIdsOutput* output = qmi_client_dms_get_ids_finish(dms, res.get(), error.out());
        if (!output) raise(error, "DMS Get IDs");
        std::unique_ptr<QmiMessageDmsGetIdsOutput, void (*)(QmiMessageDmsGetIdsOutput*)> hold(
            output, qmi_message_dms_get_ids_output_unref);
        const gchar* imei = nullptr;
        if (!qmi_message_dms_get_ids_output_get_result(output, error.out())) raise(error, "DMS Get IDs");
        if (!qmi_message_dms_get_ids_output_get_imei(output, &imei, error.out()) || !imei) return {};
        return imei;
    } catch (const Error& e) {
        log::info(kLog, std::string("the modem did not give its IMEI: ") + e.what());
        return {};
    }
}

void QmiLink::switch_slot(std::uint32_t physical) {
    ErrorOut error;
    QmiMessageUimSwitchSlotInput* input = qmi_message_uim_switch_slot_input_new();
    std::unique_ptr<QmiMessageUimSwitchSlotInput, void (*)(QmiMessageUimSwitchSlotInput*)> hold(
        input, qmi_message_uim_switch_slot_input_unref);
    qmi_message_uim_switch_slot_input_set_logical_slot(input, 1, nullptr);
    qmi_message_uim_switch_slot_input_set_physical_slot(input, physical, nullptr);
    QmiClientUim* uim = QMI_CLIENT_UIM(uim_.get());
    const unsigned timeout = options_.timeout_s;
    auto res = run([&](GCancellable* c, GAsyncReadyCallback cb, gpointer d) {
        qmi_client_uim_switch_slot(uim, input, timeout, c, cb, d);
    }, "UIM Switch Slot");
    QmiMessageUimSwitchSlotOutput* output = qmi_client_uim_switch_slot_finish(uim, res.get(), error.out());
    if (!output) raise(error, "UIM Switch Slot");
    std::unique_ptr<QmiMessageUimSwitchSlotOutput, void (*)(QmiMessageUimSwitchSlotOutput*)> out(
        output, qmi_message_uim_switch_slot_output_unref);
    if (!qmi_message_uim_switch_slot_output_get_result(output, error.out())) raise(error, "UIM Switch Slot");
}

}  // namespace lpad::qmi
