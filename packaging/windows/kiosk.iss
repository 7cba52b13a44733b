; Kiosk screen app: Inno Setup 6 script for the Windows installer.
;
; Built by packaging/build.py on Windows, which passes the defines below:
;   ISCC /DAppVersion=0.1.0 /DAppVersionNumeric=0.1.0.0 /DBundleDir=<dist>\kiosk
;        /DDocsFile=<repo>\docs\deploy.md [/DIconFile=<repo>\assets\icons\kiosk.ico]
;        /O<out> packaging\windows\kiosk.iss
;
; Unattended install of one screen (see docs/deploy.md, "Windows"):
;   Kiosk-0.1.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /TASKS="autostart"
;       /SERVER=http://192.168.1.10:5000 /ROOM=display /TOKEN=<device token>
; Per-user install by default (no admin rights; config in %LOCALAPPDATA%\kiosk\kiosk.toml,
; exactly where the app looks).  /ALLUSERS installs for every account (admin rights):
; Program Files, the config in %ProgramData%\kiosk\kiosk.toml, and the shortcuts pass
; --config to that file.  Bad /SERVER, /ROOM or /TOKEN values stop the setup before
; anything is installed (exit code 1, reason in the setup log: /LOG=setup.log).

#ifndef AppVersion
  #error Pass /DAppVersion=<version> (packaging/build.py does)
#endif
#ifndef AppVersionNumeric
  #define AppVersionNumeric "0.0.0.0"
#endif
#ifndef BundleDir
  #error Pass /DBundleDir=<the PyInstaller kiosk folder> (packaging/build.py does)
#endif
#ifndef DocsFile
  #define DocsFile "..\..\docs\deploy.md"
#endif

[Setup]
; The AppId ties updates and the uninstaller to earlier installs: never change it.
AppId={{5E0A7C52-3B8F-4B61-9C7E-2D4F9A1B6C30}
AppName=Kiosk
AppVersion={#AppVersion}
AppVerName=Kiosk {#AppVersion}
AppPublisher=Kiosk
AppComments=Kitchen, cashier and stall screens for the food court
VersionInfoVersion={#AppVersionNumeric}
VersionInfoProductVersion={#AppVersionNumeric}
DefaultDirName={autopf}\Kiosk
DefaultGroupName=Kiosk
DisableProgramGroupPage=yes
DisableDirPage=auto
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=Kiosk-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\kiosk.exe
#ifdef IconFile
SetupIconFile={#IconFile}
#endif
UninstallDisplayName=Kiosk {#AppVersion}
; An update closes the running screen (Restart Manager) instead of failing on locked files.
CloseApplications=force
RestartApplications=no
SetupLogging=yes
MinVersion=10.0

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
en.AutostartTask=Start Kiosk fullscreen when this account signs in (for kiosk screens)
en.StartupGroup=Start-up:
en.LaunchNow=Start Kiosk now

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "autostart"; Description: "{cm:AutostartTask}"; GroupDescription: "{cm:StartupGroup}"; Flags: unchecked

[InstallDelete]
; An update replaces the whole bundle: no library of the old version may linger.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#DocsFile}"; DestDir: "{app}"; DestName: "DEPLOY.md"; Flags: ignoreversion

[Dirs]
; All-users mode: the setup dialog of an unprovisioned screen must be able to save its settings.
Name: "{commonappdata}\kiosk"; Permissions: users-modify; Check: IsAdminInstallMode

[Icons]
Name: "{autoprograms}\Kiosk"; Filename: "{app}\kiosk.exe"; Parameters: "{code:ConfigArgs}"
Name: "{autodesktop}\Kiosk"; Filename: "{app}\kiosk.exe"; Parameters: "{code:ConfigArgs}"; Tasks: desktopicon
; {autostartup}: the account's Startup folder, or the all-users one in /ALLUSERS mode.
Name: "{autostartup}\Kiosk"; Filename: "{app}\kiosk.exe"; Parameters: "--fullscreen {code:ConfigArgs}"; Tasks: autostart

[Run]
Filename: "{app}\kiosk.exe"; Parameters: "{code:ConfigArgs}"; Description: "{cm:LaunchNow}"; Flags: nowait postinstall skipifsilent

[Code]
const
  RoomForms = 'display, board, kasir-N, tenant-N or user-N (N a positive whole number)';

var
  Server, Room, Token: String;

function ParamValue(const Name: String): String;
begin
  Result := Trim(ExpandConstant('{param:' + Name + '|}'));
end;

function ConfigFile(): String;
begin
  if IsAdminInstallMode then
    Result := ExpandConstant('{commonappdata}\kiosk\kiosk.toml')
  else
    { platformdirs.user_config_dir("kiosk", appauthor=False): where the app looks by itself }
    Result := ExpandConstant('{localappdata}\kiosk\kiosk.toml');
end;

function ConfigArgs(Param: String): String;
begin
  if IsAdminInstallMode then
    Result := '--config "' + ConfigFile() + '"'
  else
    Result := '';
end;

function AllCharsIn(const Value, Allowed: String): Boolean;
var
  I: Integer;
begin
  Result := True;
  for I := 1 to Length(Value) do
    if Pos(Value[I], Allowed) = 0 then
    begin
      Result := False;
      Exit;
    end;
end;

function IsDigits(const Value: String): Boolean;
begin
  Result := (Length(Value) > 0) and AllCharsIn(Value, '0123456789');
end;

function IsValidRoom(const Value: String): Boolean;
var
  Dash: Integer;
  Kind, Id: String;
begin
  Result := False;
  if (Value = 'display') or (Value = 'board') then
  begin
    Result := True;
    Exit;
  end;
  Dash := Pos('-', Value);
  if Dash = 0 then
    Exit;
  Kind := Copy(Value, 1, Dash - 1);
  Id := Copy(Value, Dash + 1, Length(Value));
  Result := ((Kind = 'kasir') or (Kind = 'tenant') or (Kind = 'user'))
    and IsDigits(Id) and (Id[1] <> '0') and (Length(Id) <= 9);
end;

function IsValidServer(const Value: String): Boolean;
var
  Rest: String;
begin
  Result := False;
  if Pos('http://', Lowercase(Value)) = 1 then
    Rest := Copy(Value, 8, Length(Value))
  else if Pos('https://', Lowercase(Value)) = 1 then
    Rest := Copy(Value, 9, Length(Value))
  else
    Exit;
  Result := (Length(Rest) > 0) and (Rest[1] <> '/') and (Rest[1] <> ':')
    and AllCharsIn(Rest, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:/_~%');
end;

function IsValidToken(const Value: String): Boolean;
begin
  Result := (Length(Value) >= 8) and (Length(Value) <= 512)
    and AllCharsIn(Value, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~+/=-');
end;

function Refuse(const Reason: String): Boolean;
begin
  Log('Refused: ' + Reason);
  SuppressibleMsgBox(Reason, mbCriticalError, MB_OK, IDOK);
  Result := False;
end;

{ Check the provisioning parameters before anything is installed. }
function InitializeSetup(): Boolean;
begin
  Server := ParamValue('SERVER');
  Room := ParamValue('ROOM');
  Token := ParamValue('TOKEN');
  Result := True;
  if (Server <> '') and not IsValidServer(Server) then
    Result := Refuse('/SERVER=' + Server + ' is not an http:// or https:// address such as http://192.168.1.10:5000')
  else if (Room <> '') and not IsValidRoom(Room) then
    Result := Refuse('/ROOM=' + Room + ' is not allowed; use ' + RoomForms)
  else if (Token <> '') and not IsValidToken(Token) then
    Result := Refuse('/TOKEN does not look like a device token (8-512 characters of A-Z a-z 0-9 . _ ~ + / = -)');
end;

{ Replace "Key = ..." in Lines, or append it; other settings an admin put there stay. }
procedure SetKey(var Lines: TArrayOfString; const Key, Value: String);
var
  I, Count, Eq: Integer;
  Trimmed: String;
  Done: Boolean;
begin
  Done := False;
  Count := GetArrayLength(Lines);
  for I := 0 to Count - 1 do
  begin
    Trimmed := Trim(Lines[I]);
    Eq := Pos('=', Trimmed);
    if (Eq > 0) and (Trim(Copy(Trimmed, 1, Eq - 1)) = Key) then
    begin
      if Done then
        Lines[I] := ''
      else
        Lines[I] := Key + ' = "' + Value + '"';
      Done := True;
    end;
  end;
  if not Done then
  begin
    SetArrayLength(Lines, Count + 1);
    Lines[Count] := Key + ' = "' + Value + '"';
  end;
end;

procedure WriteConfig();
var
  Path: String;
  Lines: TArrayOfString;
begin
  Path := ConfigFile();
  if not ForceDirectories(ExtractFileDir(Path)) then
  begin
    Log('Cannot create ' + ExtractFileDir(Path));
    Exit;
  end;
  if not LoadStringsFromFile(Path, Lines) then
  begin
    SetArrayLength(Lines, 1);
    Lines[0] := '# Kiosk settings, written by the installer; see DEPLOY.md';
  end;
  if Server <> '' then SetKey(Lines, 'server_url', Server);
  if Room <> '' then SetKey(Lines, 'room', Room);
  if Token <> '' then SetKey(Lines, 'token', Token);
  if SaveStringsToUTF8FileWithoutBOM(Path, Lines, False) then
    Log('Wrote the screen settings to ' + Path)
  else
    Log('Could not write ' + Path);
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if (CurStep = ssPostInstall) and ((Server <> '') or (Room <> '') or (Token <> '')) then
    WriteConfig();
end;

{ The settings survive an uninstall (a reinstall finds the screen provisioned)
  unless the uninstaller is run with /PURGE=1. }
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and (ExpandConstant('{param:PURGE|0}') = '1') then
  begin
    DeleteFile(ConfigFile());
    RemoveDir(ExtractFileDir(ConfigFile()));
  end;
end;
