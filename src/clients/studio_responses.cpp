#include "driftd/clients/studio_responses.hpp"

#include "driftd/clients/remote_failure.hpp"

namespace driftd::clients {

namespace {

using nlohmann::json;

std::optional<std::int64_t> integer_field(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

std::optional<double> number_field(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::string string_field(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

RemoteResult<GoodBad> parse_good_bad(const json& value, std::string_view context,
                                     const std::string& where) {
  if (!value.is_object()) return protocol_error(context, where + " is not an object");
  const auto good = integer_field(value, "good");
  const auto bad = integer_field(value, "bad");
  if (!good || !bad || *good < 0 || *bad < 0) {
    return protocol_error(context, where + " lacks non-negative \"good\" and \"bad\" counts");
  }
  return GoodBad{*good, *bad};
}

RemoteResult<SampleInfo> parse_sample(const json& item, std::string_view context,
                                      std::size_t index) {
  const std::string where = "sample " + std::to_string(index);
  if (!item.is_object()) return protocol_error(context, where + " is not an object");
  const auto id = integer_field(item, "id");
  if (!id) return protocol_error(context, where + " has no integer \"id\"");
  SampleInfo s;
  s.id = *id;
  s.filename = string_field(item, "filename");
  if (std::string label = string_field(item, "label"); !label.empty()) s.label = std::move(label);
  s.category = string_field(item, "category");
  s.frequency_hz = number_field(item, "frequency").value_or(0);
  s.interval_ms = number_field(item, "intervalMs").value_or(0);
  s.values_count = integer_field(item, "valuesCount").value_or(0);
  s.total_length_ms = number_field(item, "totalLengthMs");
  s.sha256 = string_field(item, "sha256Hash");
  if (auto meta = item.find("metadata"); meta != item.end() && meta->is_object()) {
    for (const auto& [key, value] : meta->items()) {
      if (value.is_string()) s.metadata[key] = value.get<std::string>();
    }
  }
  return s;
}

}  // namespace

RemoteResult<std::int64_t> parse_start_job(const json& body, std::string_view context) {
  const auto id = integer_field(body, "id");
  if (!id) return protocol_error(context, "the answer has no integer job \"id\"");
  return *id;
}

RemoteResult<JobStatus> parse_job_status(const json& body, std::string_view context) {
  const auto job = body.find("job");
  if (job == body.end() || !job->is_object()) {
    return protocol_error(context, "the answer has no \"job\" object");
  }
  JobStatus status;
  status.id = integer_field(*job, "id").value_or(0);
  if (const auto finished = job->find("finished"); finished != job->end()) {
    if (finished->is_string() && !finished->get<std::string>().empty()) {
      status.finished_at = finished->get<std::string>();
    } else if (finished->is_number()) {
      status.finished_at = finished->dump();
    } else if (finished->is_boolean() && finished->get<bool>()) {
      status.finished_at = "";  // finished, time not given
    }
  }
  if (const auto ok = job->find("finishedSuccessful"); ok != job->end() && ok->is_boolean()) {
    status.finished_successful = ok->get<bool>();
  }
  return status;
}

RemoteResult<std::vector<JobSummary>> parse_job_list(const json& body, std::string_view context) {
  const auto jobs = body.find("jobs");
  if (jobs == body.end() || !jobs->is_array()) {
    return protocol_error(context, "the answer has no \"jobs\" array");
  }
  std::vector<JobSummary> list;
  for (const auto& item : *jobs) {
    const auto id = item.is_object() ? integer_field(item, "id") : std::nullopt;
    if (!id) return protocol_error(context, "a listed job has no integer \"id\"");
    JobSummary job;
    job.id = *id;
    job.category = string_field(item, "category");
    job.category_key = string_field(item, "categoryKey");
    job.key = string_field(item, "key");
    job.created = util::parse_rfc3339(string_field(item, "created"));
    const auto finished = item.find("finished");
    job.finished = finished != item.end() && !finished->is_null() &&
                   !(finished->is_string() && finished->get<std::string>().empty());
    list.push_back(std::move(job));
  }
  return list;
}

RemoteResult<std::vector<JobLogLine>> parse_job_log(const json& body, std::string_view context) {
  const auto stdout_lines = body.find("stdout");
  if (stdout_lines == body.end() || !stdout_lines->is_array()) {
    return protocol_error(context, "the answer has no \"stdout\" array");
  }
  std::vector<JobLogLine> lines;
  for (auto it = stdout_lines->rbegin(); it != stdout_lines->rend(); ++it) {
    if (!it->is_object()) return protocol_error(context, "a log line is not an object");
    JobLogLine line{string_field(*it, "created"), string_field(*it, "data"),
                    string_field(*it, "logLevel")};
    while (!line.data.empty() && (line.data.back() == '\n' || line.data.back() == '\r')) {
      line.data.pop_back();
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

RemoteResult<ClassifyResult> parse_classify_result(const json& body, std::string_view context) {
  const auto accuracy = body.find("accuracy");
  if (accuracy == body.end() || !accuracy->is_object()) {
    return protocol_error(context, "the answer has no \"accuracy\" object");
  }
  const auto total_it = accuracy->find("totalSummary");
  if (total_it == accuracy->end()) {
    return protocol_error(context, "the answer has no accuracy.totalSummary");
  }
  auto total = parse_good_bad(*total_it, context, "accuracy.totalSummary");
  if (!total) return total.error();
  ClassifyResult result;
  result.total = total.value();
  if (const auto per = accuracy->find("summaryPerClass"); per != accuracy->end()) {
    if (!per->is_object())
      return protocol_error(context, "accuracy.summaryPerClass is not an object");
    for (const auto& [label, value] : per->items()) {
      auto counts = parse_good_bad(value, context, "accuracy.summaryPerClass." + label);
      if (!counts) return counts.error();
      result.per_class[label] = counts.value();
    }
  }
  return result;
}

RemoteResult<SamplePage> parse_sample_page(const json& body, std::string_view context) {
  const auto samples = body.find("samples");
  if (samples == body.end() || !samples->is_array()) {
    return protocol_error(context, "the answer has no \"samples\" array");
  }
  SamplePage page;
  for (std::size_t i = 0; i < samples->size(); ++i) {
    auto sample = parse_sample((*samples)[i], context, i);
    if (!sample) return sample.error();
    page.samples.push_back(std::move(sample).value());
  }
  page.total_count =
      integer_field(body, "totalCount").value_or(static_cast<std::int64_t>(page.samples.size()));
  return page;
}

}  // namespace driftd::clients
