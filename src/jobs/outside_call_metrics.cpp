#include "driftd/jobs/outside_call_metrics.hpp"

namespace driftd::jobs {

namespace {

class OutsideCallMetrics final : public net::CallObserver {
 public:
  explicit OutsideCallMetrics(const util::DriftdMetrics& metrics)
      : m_requests(metrics.outside_requests), m_duration(metrics.outside_request_duration) {}

  void on_call(const net::CallRecord& record) noexcept override {
    try {
      m_requests.labels({record.service, record.outcome}).inc();
      m_duration.labels({record.service}).observe_duration(record.latency);
    } catch (...) {  // a metric must never fail a call
    }
  }

 private:
  util::CounterFamily m_requests;
  util::HistogramFamily m_duration;
};

}  // namespace

std::shared_ptr<net::CallObserver> outside_call_metrics(const util::DriftdMetrics& metrics) {
  return std::make_shared<OutsideCallMetrics>(metrics);
}

}  // namespace driftd::jobs
