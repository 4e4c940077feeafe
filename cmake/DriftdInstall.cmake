# Install layout for packaging and `cmake --install` (the driftd binary itself is installed
# by src/CMakeLists.txt):
#   <prefix>/lib/systemd/system/driftd.service   the unit, ExecStart and DRIFTD_CONFIG
#                                                pointing at this install's paths
#   <sbindir>/driftd-run                         runs admin commands as the service user
#   <sysconfdir>/driftd/driftd.yaml              the service config, only when absent (an
#                                                operator's edited file is never replaced)
#   <datadir>/driftd/examples/                   the pristine service and container configs
#   <datadir>/driftd/migrations/                 the SQL migrations (also embedded in the
#                                                binary; shipped for reading and auditing)
#   <docdir>/                                    operations guide, architecture, API spec
# The dashboard (web/) is embedded in the binary and needs no install step.

set(DRIFTD_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
    "Where the systemd unit is installed, relative to the prefix or absolute")

set(_driftd_unit_in "${CMAKE_SOURCE_DIR}/systemd/driftd.service")
set(_driftd_unit_out "${CMAKE_BINARY_DIR}/install/driftd.service")
set(_driftd_config_path "${CMAKE_INSTALL_FULL_SYSCONFDIR}/driftd/driftd.yaml")
file(READ "${_driftd_unit_in}" _driftd_unit)
string(REPLACE "ExecStart=/usr/bin/driftd" "ExecStart=${CMAKE_INSTALL_FULL_BINDIR}/driftd"
       _driftd_unit "${_driftd_unit}")
string(REPLACE "DRIFTD_CONFIG=/etc/driftd/driftd.yaml" "DRIFTD_CONFIG=${_driftd_config_path}"
       _driftd_unit "${_driftd_unit}")
file(CONFIGURE OUTPUT "${_driftd_unit_out}" CONTENT "${_driftd_unit}" @ONLY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_driftd_unit_in}")

install(FILES "${_driftd_unit_out}" DESTINATION "${DRIFTD_SYSTEMD_UNIT_DIR}")
install(PROGRAMS "${CMAKE_SOURCE_DIR}/systemd/driftd-run" DESTINATION "${CMAKE_INSTALL_SBINDIR}")

install(FILES "${CMAKE_SOURCE_DIR}/systemd/driftd.yaml"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/driftd/examples" RENAME driftd.service.yaml)
install(FILES "${CMAKE_SOURCE_DIR}/docker/driftd.yaml"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/driftd/examples" RENAME driftd.container.yaml
        OPTIONAL)
install(CODE "
  set(_target \"\$ENV{DESTDIR}${_driftd_config_path}\")
  if(EXISTS \"\${_target}\")
    message(STATUS \"Keeping existing: \${_target}\")
  else()
    # file(INSTALL) applies DESTDIR to an absolute destination by itself.
    file(INSTALL \"${CMAKE_SOURCE_DIR}/systemd/driftd.yaml\"
         DESTINATION \"${CMAKE_INSTALL_FULL_SYSCONFDIR}/driftd\"
         FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endif()
")

install(DIRECTORY "${CMAKE_SOURCE_DIR}/migrations/"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/driftd/migrations" FILES_MATCHING PATTERN "*.sql")

foreach(_doc README.md ARCHITECTURE.md docs/operations.md docs/openapi.yaml)
  install(FILES "${CMAKE_SOURCE_DIR}/${_doc}" DESTINATION "${CMAKE_INSTALL_DOCDIR}" OPTIONAL)
endforeach()
