; Inno Setup 6 script: a per-user installer for the PyInstaller bundle in dist\Negotiator.
;
;   uv run pyinstaller build.spec
;   "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" packaging\windows\negotiator.iss
;
; The version is read from Negotiator.exe's version resource (build.spec writes it from the package);
; override it with ISCC /DAppVersion=1.2.3. The installer lands in dist\installer\.

#define AppName "Negotiator"
#define AppExe "Negotiator.exe"
#define RepoDir AddBackslash(SourcePath) + "..\.."
#define BundleDir RepoDir + "\dist\Negotiator"
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(BundleDir + "\" + AppExe, "ProductVersion")
#endif
#if AppVersion == ""
  #error "dist\Negotiator\Negotiator.exe has no version: build it first (uv run pyinstaller build.spec)"
#endif

[Setup]
; A fixed AppId lets a newer installer upgrade an older installation in place. Never change it.
AppId={{6E0B3C52-3A61-4B53-9C1E-5E0A2E7C9B41}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user by default (no UAC prompt); the person may choose "all users" in the dialog.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#RepoDir}\dist\installer
OutputBaseFilename=Negotiator-{#AppVersion}-setup
SetupIconFile={#RepoDir}\resources\icons\app.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; The user's sessions live in %LOCALAPPDATA%\Negotiator and are kept on uninstall.

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade replaces the bundle wholesale: stale DLLs from an older Qt must not linger.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
